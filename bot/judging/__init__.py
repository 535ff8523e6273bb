"""An optional LLM judge behind the offline grader: any OpenAI-compatible endpoint refines a grade.

The offline grader always runs first and stays in charge (`guard.py`): its flags skip the judge,
in `assist` mode the judge only moves the score within a band, and every failure of the endpoint
(time-outs, HTTP errors, rate limits, invalid JSON, an open circuit) falls back to the offline
grade. Nothing here is imported by `bot/core`: the judge is I/O, wired in by the bootstrap.
"""
