"""Benchmarks: ``python -m bench`` measures this skill against a minimal ask-sdk-core "hello" skill,
a bare Flask endpoint and the JSON parse-and-dump floor, in one run, and writes bench/RESULTS.md.

Modules: ``apps`` (the apps compared), ``corpus`` (the request mix), ``inprocess``, ``loadgen``
(wrk or a Python load generator), ``serve`` and ``coldstart`` (child processes), ``conversation``
(turn counts and spoken lengths of every triage path), ``report``. Nothing here is imported by
the skill; nothing here needs the network beyond 127.0.0.1.
"""
