"""The assistant against a real model server: llama.cpp's OpenAI-compatible server with
Gemma 3 270M on loopback (see llama.py), and the built ClawChat server driven over REST and
/ws as a user's client would. What is checked is what the user sees: a greeting answered by
the model in streamed chunks, naming the model; "add oat milk to my list" ending with the
todo stored, by the model or by the built-in parser (which then says why); a tool call with
a malformed date refused with the reason and nothing stored; a model slower than AI_TIMEOUT
giving way to the built-in parser; the settings' model test naming the server and model.

`make test-model` builds the model server once (make model-server) and runs this."""

import copy
import json
import threading
import unittest
import urllib.request

from clawchat import Server
from gateway import Gateway
from llama import MODEL_NAME, ModelServer

MODEL = None
MAX_TOKENS = 40


def setUpModule():
    global MODEL
    MODEL = ModelServer()


def tearDownModule():
    if MODEL:
        MODEL.stop()


def model_env(base_url, provider="openai", timeout=120):
    # Gemma 3 270M as packaged is the pretrained model: it never ends its turn by itself, so
    # its answers are held to AI_MAX_TOKENS.
    return {"AI_PROVIDER": provider, "AI_BASE_URL": base_url, "AI_MODEL": MODEL_NAME, "AI_TIMEOUT": str(timeout),
            "AI_MAX_TOKENS": str(MAX_TOKENS)}


def forcing_create_todo(schema_change=None, max_tokens=None):
    """A gateway rewrite: the model must call create_todo (a forced tool_choice), with the
    tool's parameters changed by `schema_change`, its answer cut at `max_tokens`."""

    def rewrite(request):
        request = copy.deepcopy(request)
        request["tool_choice"] = {"type": "function", "function": {"name": "create_todo"}}
        for tool in request.get("tools", []):
            if tool["function"]["name"] == "create_todo" and schema_change:
                schema_change(tool["function"]["parameters"])
        if max_tokens:
            request["max_tokens"] = max_tokens
        return request

    return rewrite


class RealModelTest(unittest.TestCase):
    def setUp(self):
        self.servers, self.gateways = [], []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        for g in self.gateways:
            g.stop()

    def server(self, base_url, **kw):
        s = Server(**model_env(base_url, **kw))
        self.servers.append(s)
        return s

    def gateway(self, rewrite, record_as=None):
        g = Gateway(MODEL.port, rewrite, record_as)
        self.gateways.append(g)
        return g

    def test_the_settings_model_test_names_the_real_server_and_model(self):
        server = self.server(MODEL.base)
        status, check = server.call("POST", "/api/settings/test-model", {})
        self.assertEqual(status, 200, check)
        self.assertTrue(check["ok"], check)
        self.assertIn(MODEL_NAME, check["models"])
        self.assertIn(MODEL_NAME, check["detail"])
        self.assertIn(f"127.0.0.1:{MODEL.port}", check["detail"])
        status, check = server.call("POST", "/api/settings/test-model", {"ai_model": "llama3.2"})
        self.assertEqual(status, 200, check)
        self.assertFalse(check["ok"], check)
        self.assertIn("llama3.2", check["detail"])

    def greeting_is_answered_by_the_model(self, provider):
        server = self.server(MODEL.base, provider=provider)
        answer = server.ask("Hello! How are you today?")
        self.assertIn(MODEL_NAME, answer.provider)
        # Cut at AI_MAX_TOKENS, the answer says the model stopped before it finished.
        self.assertIn(answer.fallback_reason, (None, "model_answer_cut_off"), answer.result)
        if answer.fallback_reason:
            self.assertTrue(answer.text.endswith("(The model stopped before it finished.)"), answer.text)
        self.assertEqual(answer.result["intent"], "general_chat")
        self.assertGreater(len(answer.chunks), 1, "the model's words stream in pieces")
        self.assertTrue(answer.text.strip())
        self.assertEqual(answer.text, "".join(answer.chunks), "the chunks are the answer")
        self.assertEqual(server.todos(), [], "a greeting changes nothing")

    def test_a_greeting_is_answered_by_the_model_in_streamed_chunks(self):
        self.greeting_is_answered_by_the_model("openai")

    def test_a_greeting_is_answered_by_the_model_in_auto_mode(self):
        self.greeting_is_answered_by_the_model("auto")

    def oat_milk_ends_stored(self, provider):
        server = self.server(MODEL.base, provider=provider)
        answer = server.ask("add oat milk to my list")
        todos = server.todos()
        self.assertEqual([t["title"].lower() for t in todos], ["oat milk"], answer.result)
        if answer.provider == "builtin":
            self.assertTrue(answer.fallback_reason, answer.result)
        self.assertIn("oat milk", answer.text.lower())

    def test_add_oat_milk_ends_with_the_todo_stored(self):
        self.oat_milk_ends_stored("openai")

    def test_add_oat_milk_ends_with_the_todo_stored_in_auto_mode(self):
        self.oat_milk_ends_stored("auto")

    def test_a_tool_call_with_a_malformed_date_is_refused_and_nothing_is_stored(self):
        # The model must call create_todo, and its due date can only come out in a shape
        # that is no date (the grammar llama.cpp builds from the schema holds it to that).
        def malformed_date(parameters):
            parameters["properties"] = {"title": {"type": "string", "enum": ["oat milk"]},
                                        "due_date": {"type": "string", "enum": ["31/02/2026 25:00"]}}
            parameters["required"] = ["title", "due_date"]

        gateway = self.gateway(forcing_create_todo(malformed_date, max_tokens=100),
                               record_as="llama-cpp-malformed-date.sse")
        server = self.server(gateway.base)
        answer = server.ask("add oat milk to my list for the 31st of February")
        self.assertIn(MODEL_NAME, answer.provider)
        self.assertEqual(answer.result["intent"], "create_todo")
        failed = [u for u in answer.task_updates() if u["status"] == "failed"]
        self.assertEqual(len(failed), 1, answer.task_updates())
        self.assertIn("31/02/2026 25:00", failed[0]["error"])
        self.assertIn("is not a date", failed[0]["error"])
        self.assertIn("is not a date", answer.text)
        self.assertEqual(server.todos(), [], "nothing was stored")

    def test_a_forced_tool_call_cut_off_mid_string_is_never_stored(self):
        # Left to itself under a forced tool_choice the model writes a title that runs on
        # until max_tokens cuts it mid-string: arguments that are not JSON.
        gateway = self.gateway(forcing_create_todo(max_tokens=12), record_as="llama-cpp-cut-off-call.sse")
        server = self.server(gateway.base)
        answer = server.ask("add oat milk to my list")
        self.assertEqual(answer.provider, "builtin")
        self.assertEqual(answer.fallback_reason, "invalid_tool_arguments")
        self.assertEqual([t["title"] for t in server.todos()], ["oat milk"], "only what the user asked for")

    def test_a_model_slower_than_ai_timeout_gives_way_to_the_built_in_parser(self):
        # The model server is busy with someone else's long answer (it serves one at a
        # time): ClawChat's request waits longer than AI_TIMEOUT for a first word.
        busy = threading.Thread(target=long_answer, daemon=True)
        busy.start()
        try:
            server = self.server(MODEL.base, timeout=2)
            answer = server.ask("add oat milk to my list")
            self.assertEqual(answer.provider, "builtin")
            self.assertEqual(answer.fallback_reason, "model_timeout")
            self.assertLess(answer.finished, 15)
            self.assertEqual([t["title"] for t in server.todos()], ["oat milk"])
        finally:
            # The other answer is left to finish, so the next test finds the server free.
            busy.join(timeout=600)


def long_answer():
    """Someone else's answer of 120 tokens, asked for whole (not streamed): the model
    server holds every other request until it is done."""
    body = json.dumps({"model": MODEL_NAME, "max_tokens": 120, "temperature": 0.8,
                       "messages": [{"role": "user", "content": "Tell me a long story about a lighthouse."}]})
    req = urllib.request.Request(MODEL.base + "/v1/chat/completions", data=body.encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        r.read()


if __name__ == "__main__":
    unittest.main()
