/*
 * A small APL renderer for the subset of APL that skill/alexa/apl/answer.json uses, as HTML/CSS.
 *
 * Amazon's own web renderer (apl-viewhost-web on npm) cannot run here: its install step downloads
 * a prebuilt bundle from outside the package registries, and building it needs the APL core
 * library compiled to WebAssembly. So this file renders the same document JSON the skill sends,
 * following Amazon's APL reference for what the document uses:
 *
 *  - data binding: "${expr}" alone keeps the value's type; text around it makes a string. The
 *    context holds `viewport` (width, height in dp, shape, mode, dpi, theme) and the datasources.
 *  - `when`: a component whose `when` is false is not inflated. Frame, layouts and mainTemplate
 *    take the FIRST of their `items` whose `when` holds; Container and Sequence take all of them.
 *  - layouts: a component whose type names a layout binds the layout's parameters (its own
 *    properties, else the defaults) and inflates the layout's items in that context.
 *  - Sequence `data`: one child per element, with `data`, `index` and `length` bound; it scrolls,
 *    and without a height it is 100 dp tall (then grow and shrink apply), never sized to content.
 *  - layout box model (Yoga): width/height include padding and border; flex column; grow and
 *    shrink (default 0); no minimum size; children are not clipped (so overflow shows).
 *  - dimensions: numbers and "dp" are dp (1 CSS px here; the page's device scale is dpi / 160),
 *    "px" are device pixels, "vw"/"vh" and "%" are relative.
 *  - Text: markup (the skill escapes &, < and >), line height 125%, theme-dark defaults.
 *    Amazon Ember is not installed; DejaVu Sans stands in. It is wider than Ember, so a layout
 *    that fits here fits on a device.
 */
(function () {
  'use strict';

  const BINDING = /\$\{([^}]*)\}/g;

  function evaluate(expression, context) {
    // APL expressions in this document are JavaScript-compatible once == and != are strict.
    const source = expression.replace(/([=!])=(?!=)/g, '$1==');
    const names = Object.keys(context);
    try {
      // eslint-disable-next-line no-new-func
      return Function(...names, `"use strict"; return (${source});`)(...names.map((n) => context[n]));
    } catch (error) {
      return null; // APL: an expression that cannot be evaluated is null
    }
  }

  function bind(value, context) {
    if (typeof value !== 'string' || !value.includes('${')) {
      return value;
    }
    const whole = value.match(/^\$\{([^}]*)\}$/);
    if (whole) {
      return evaluate(whole[1], context);
    }
    return value.replace(BINDING, (_, expression) => {
      const result = evaluate(expression, context);
      return result === null || result === undefined ? '' : String(result);
    });
  }

  function holds(component, context) {
    return !('when' in component) || Boolean(bind(component.when, context));
  }

  function itemsOf(component) {
    const items = component.items !== undefined ? component.items : component.item;
    if (items === undefined) {
      return [];
    }
    return Array.isArray(items) ? items : [items];
  }

  function dimension(value, viewport) {
    if (value === null || value === undefined || value === 'auto') {
      return 'auto';
    }
    if (typeof value === 'number') {
      return `${value}px`;
    }
    const match = String(value).trim().match(/^(-?[\d.]+)\s*(dp|px|vw|vh|%)?$/);
    if (!match) {
      throw new Error(`not an APL dimension: ${JSON.stringify(value)}`);
    }
    const number = parseFloat(match[1]);
    switch (match[2]) {
      case 'px':
        return `${(number * 160) / viewport.dpi}px`;
      case 'vw':
        return `${(number * viewport.width) / 100}px`;
      case 'vh':
        return `${(number * viewport.height) / 100}px`;
      case '%':
        return `${number}%`;
      default:
        return `${number}px`;
    }
  }

  const FLEX = {start: 'flex-start', end: 'flex-end', center: 'center', stretch: 'stretch',
    spaceBetween: 'space-between', spaceAround: 'space-around'};
  const BOX = ['width', 'height', 'minWidth', 'maxWidth', 'minHeight', 'maxHeight',
    'paddingLeft', 'paddingRight', 'paddingTop', 'paddingBottom', 'left', 'right', 'top', 'bottom'];

  function render(document, datasources, viewport) {
    const context = {viewport, ...datasources};
    const layouts = document.layouts || {};

    function inflate(component, scope) {
      if (!holds(component, scope)) {
        return null;
      }
      const layout = layouts[component.type];
      if (layout) {
        const inner = {viewport};
        for (const parameter of layout.parameters || []) {
          const name = typeof parameter === 'string' ? parameter : parameter.name;
          inner[name] = name in component ? bind(component[name], scope) : bind(parameter.default, inner);
        }
        return first(itemsOf(layout), inner);
      }
      const p = {};
      for (const [key, value] of Object.entries(component)) {
        if (key !== 'items' && key !== 'item' && key !== 'when') {
          p[key] = bind(value, scope);
        }
      }
      const element = window.document.createElement('div');
      element.dataset.aplType = component.type;
      if (p.id) {
        element.dataset.aplId = p.id;
      }
      const style = element.style;
      style.boxSizing = 'border-box';
      style.display = 'flex';
      style.flexDirection = 'column';
      style.position = p.position === 'absolute' ? 'absolute' : 'relative';
      style.minWidth = '0';
      style.minHeight = '0';
      style.flexGrow = String(p.grow || 0);
      style.flexShrink = String(p.shrink || 0);
      style.flexBasis = 'auto';
      for (const key of BOX) {
        if (p[key] !== undefined) {
          style[key] = dimension(p[key], viewport);
        }
      }
      if (p.alignSelf && p.alignSelf !== 'auto') {
        style.alignSelf = FLEX[p.alignSelf];
      }
      if (p.opacity !== undefined) {
        style.opacity = String(p.opacity);
      }
      if (p.display === 'none') {
        style.display = 'none';
      } else if (p.display === 'invisible') {
        style.visibility = 'hidden';
      }
      switch (component.type) {
        case 'Container':
          style.flexDirection = p.direction === 'row' ? 'row' : 'column';
          style.alignItems = FLEX[p.alignItems || 'stretch'];
          style.justifyContent = FLEX[p.justifyContent || 'start'];
          for (const item of itemsOf(component)) {
            append(element, inflate(item, scope));
          }
          break;
        case 'Frame':
          style.alignItems = 'stretch';
          if (p.backgroundColor) {
            style.backgroundColor = p.backgroundColor;
          }
          if (p.borderRadius) {
            style.borderRadius = dimension(p.borderRadius, viewport);
          }
          if (p.borderWidth) {
            style.border = `${dimension(p.borderWidth, viewport)} solid ${p.borderColor || 'transparent'}`;
          }
          append(element, first(itemsOf(component), scope));
          break;
        case 'Sequence': {
          // APL: a vertical Sequence without a height starts at 100 dp (never auto).
          if (p.height === undefined) {
            style.height = '100px';
          }
          style.overflowY = 'auto';
          style.alignItems = 'stretch';
          const data = Array.isArray(p.data) ? p.data : [];
          data.forEach((datum, index) => {
            const child = first(itemsOf(component), {...scope, data: datum, index, length: data.length});
            append(element, child);
          });
          break;
        }
        case 'Text':
          style.display = 'block';
          style.color = p.color || '#FAFAFA';
          style.fontFamily = '"DejaVu Sans", sans-serif';
          style.fontSize = dimension(p.fontSize === undefined ? 40 : p.fontSize, viewport);
          style.fontWeight = String(p.fontWeight || 'normal');
          style.fontStyle = p.fontStyle || 'normal';
          style.lineHeight = String(p.lineHeight || 1.25);
          style.textAlign = p.textAlign && p.textAlign !== 'auto' ? p.textAlign : 'left';
          style.overflowWrap = 'break-word';
          if (p.lang) {
            element.lang = p.lang;
          }
          element.innerHTML = p.text === null || p.text === undefined ? '' : String(p.text);
          break;
        default:
          throw new Error(`this renderer does not know the APL component ${component.type}`);
      }
      return element;
    }

    function first(items, scope) {
      for (const item of items) {
        if (holds(item, scope)) {
          return inflate(item, scope);
        }
      }
      return null;
    }

    function append(parent, child) {
      if (child) {
        parent.appendChild(child);
      }
    }

    const root = first(itemsOf(document.mainTemplate), context);
    const screen = window.document.createElement('div');
    screen.id = 'apl-viewport';
    Object.assign(screen.style, {position: 'absolute', left: '0', top: '0', display: 'flex',
      flexDirection: 'column', width: `${viewport.width}px`, height: `${viewport.height}px`});
    if (root) {
      screen.appendChild(root);
    }
    return screen;
  }

  window.renderApl = render;
})();
