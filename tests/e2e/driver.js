#!/usr/bin/env node
// Drive ONE virtual-alexa session against a skill URL and print what came back.
//
// stdin:  {"url": "http://127.0.0.1:PORT/alexa", "model": "<interaction_model/en-US.json>",
//          "locale": "en-US", "turns": [{"launch": true} | {"utter": "..."}, ...]}
// stdout: one JSON line {"responses": [<raw response JSON>, ...], "error": null | "message",
//                        "requestIds": [<requestId sent for each response>, ...]}
//
// virtual-alexa throws when a phrase matches no sample (and rejects on a non-200 reply); that is
// reported in "error" with the turn's index, and the turns before it are still returned.
"use strict";

const { VirtualAlexa } = require("virtual-alexa");

function readStdin() {
  return new Promise((resolve, reject) => {
    let data = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk) => { data += chunk; });
    process.stdin.on("end", () => resolve(data));
    process.stdin.on("error", reject);
  });
}

function message(err) {
  if (err instanceof Error) return err.message;
  return typeof err === "string" ? err : JSON.stringify(err);
}

// SkillResponse copies the raw JSON's keys onto itself; keep only those (no methods).
function raw(response) {
  return JSON.parse(JSON.stringify(response));
}

async function run(job) {
  const responses = [];
  const requestIds = [];
  let lastRequestId = null;
  const alexa = VirtualAlexa.Builder()
    .skillURL(job.url)
    .interactionModelFile(job.model)
    .locale(job.locale || "en-US")
    .create();
  // Note each request's id so the caller can find the server's access-log line for the turn.
  alexa.filter((request) => { lastRequestId = request.request && request.request.requestId; });
  const turns = job.turns || [];
  for (let i = 0; i < turns.length; i++) {
    const turn = turns[i];
    lastRequestId = null;
    try {
      let response;
      if (turn.launch) {
        response = await alexa.launch();
      } else if (typeof turn.utter === "string") {
        response = await alexa.utter(turn.utter);
      } else if (typeof turn.intend === "string") {
        // An intent by name (virtual-alexa has no Spanish yes/no phrases).
        response = await alexa.intend(turn.intend, turn.slots || {});
      } else {
        throw new Error("a turn needs launch: true, utter: \"...\" or intend: \"IntentName\"");
      }
      responses.push(raw(response));
      requestIds.push(lastRequestId);
    } catch (err) {
      const what = turn.launch ? "launch" : JSON.stringify(turn.utter || turn.intend);
      return { responses, requestIds, error: `turn ${i} (${what}): ${message(err)}` };
    }
  }
  return { responses, requestIds, error: null };
}

async function main() {
  let result;
  try {
    const job = JSON.parse(await readStdin());
    result = await run(job);
  } catch (err) {
    result = { responses: [], requestIds: [], error: `driver: ${message(err)}` };
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

main();
