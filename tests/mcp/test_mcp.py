"""ClawChat as an MCP server, driven by the official MCP Python SDK over both transports:
Streamable HTTP at /mcp, and stdio through `clawchat-server mcp`. Each test runs on a real
server with a fresh data folder and checks what the user would see: the todo in the REST
API and on /ws, Today read as a resource, deletes that wait for the user's yes, the call's
client named in the task history, bad calls refused with nothing changed, a revoked token
refused."""

import asyncio
import json
import unittest

import websocket
from mcp import MCPError
from mcp import types

from clawchat import Server, http_session, refused_start, stdio_session


def payload(result):
    """A tool result's structured content (its text block holds the same JSON)."""
    if result.structured_content is not None:
        return result.structured_content
    return json.loads(result.content[0].text)


class Transport:
    """The tests every transport passes; subclasses say how a session is opened."""

    session = None

    def setUp(self):
        self.server = Server()

    def tearDown(self):
        self.server.stop()

    async def test_lists_the_organiser_tools_and_never_a_host_tool(self):
        async with self.session(self.server) as s:
            tools = {t.name: t for t in (await s.list_tools()).tools}
        for name in ["create_todo", "query_todos", "update_todo", "complete_todo", "delete_todo", "create_event",
                     "query_events", "update_event", "delete_event", "create_memo", "query_memos", "update_memo",
                     "delete_memo", "search", "daily_briefing"]:
            self.assertIn(name, tools)
        for host in ["file_read", "file_create", "open_app", "executor_shell", "web_search", "delegate_task"]:
            self.assertNotIn(host, tools)
        schema = tools["create_todo"].input_schema
        self.assertEqual(schema["required"], ["title"])
        self.assertFalse(schema["additionalProperties"])
        self.assertEqual(schema["properties"]["priority"]["enum"], ["low", "medium", "high", "urgent"])
        self.assertTrue(tools["delete_todo"].annotations.destructive_hint)
        self.assertTrue(tools["query_todos"].annotations.read_only_hint)

    async def test_lists_and_reads_the_resources(self):
        self.server.call("POST", "/api/todos", {"title": "water the plants"})
        async with self.session(self.server) as s:
            uris = sorted(str(r.uri) for r in (await s.list_resources()).resources)
            self.assertEqual(uris, ["clawchat://events/week", "clawchat://memos", "clawchat://today",
                                    "clawchat://todos/open"])
            read = await s.read_resource("clawchat://todos/open")
        todos = json.loads(read.contents[0].text)["todos"]
        self.assertEqual([t["title"] for t in todos], ["water the plants"])

    async def test_a_created_todo_is_in_the_api_on_ws_and_in_the_history_under_the_clients_name(self):
        ws = _watch(self.server)
        try:
            async with self.session(self.server) as s:
                result = await s.call_tool("create_todo", {"title": "renew the passport", "priority": "high"})
            self.assertFalse(result.is_error, result)
            self.assertEqual(payload(result)["todo"]["title"], "renew the passport")

            [todo] = self.server.todos()
            self.assertEqual((todo["title"], todo["priority"]), ("renew the passport", "high"))
            frames = []
            while not any(f["type"] == "module_data_changed" and f["data"]["module"] == "todos" for f in frames):
                frames.append(json.loads(ws.recv()))
        finally:
            ws.close()
        [task] = self.server.tasks()
        self.assertEqual((task["tool"], task["status"], task["requested_by"]),
                         ("create_todo", "done", "Test Assistant"))

    async def test_reads_today(self):
        async with self.session(self.server) as s:
            await s.call_tool("create_todo", {"title": "call the bank", "due_date": _today()})
            read = await s.read_resource("clawchat://today")
            briefing = await s.call_tool("daily_briefing", {})
        today = json.loads(read.contents[0].text)
        self.assertEqual(today["date"], _today())
        self.assertEqual([t["title"] for t in today["today_tasks"]], ["call the bank"])
        self.assertFalse(briefing.is_error)
        self.assertIn("call the bank", json.dumps(payload(briefing)))

    async def test_a_delete_waits_for_the_users_yes_and_then_deletes(self):
        self.server.call("POST", "/api/todos", {"title": "old receipts"})
        async with self.session(self.server) as s:
            call = asyncio.create_task(s.call_tool("delete_todo", {"title": "old receipts"}))
            waiting = await asyncio.to_thread(self.server.awaiting_approval)
            self.assertEqual((waiting["tool"], waiting["requested_by"]), ("delete_todo", "Test Assistant"))
            self.assertFalse(call.done(), "the call waits for the answer")
            self.assertEqual(len(self.server.todos()), 1, "nothing is deleted before the yes")
            self.server.call("POST", f"/api/tasks/{waiting['task_id']}/approve")
            result = await asyncio.wait_for(call, 20)
        self.assertFalse(result.is_error, result)
        self.assertEqual(self.server.todos(), [])

    async def test_a_denied_delete_says_denied_and_deletes_nothing(self):
        self.server.call("POST", "/api/todos", {"title": "tax papers"})
        ws = _watch(self.server)
        async with self.session(self.server) as s:
            call = asyncio.create_task(s.call_tool("delete_todo", {"title": "tax papers"}))
            waiting = await asyncio.to_thread(self.server.awaiting_approval)
            # The approval card names the app that asks.
            card = await asyncio.to_thread(_next, ws, "task:approval_request")
            ws.close()
            self.assertEqual(card["task"]["task"]["task_id"], waiting["task_id"])
            self.assertIn("Test Assistant", card["reason"])
            self.server.call("POST", f"/api/tasks/{waiting['task_id']}/deny", {"reason": "keep them"})
            result = await asyncio.wait_for(call, 20)
        self.assertTrue(result.is_error)
        self.assertEqual(payload(result)["outcome"], "denied")
        self.assertIn("keep them", payload(result)["detail"])
        self.assertEqual([t["title"] for t in self.server.todos()], ["tax papers"])

    async def test_unknown_tools_and_malformed_arguments_are_refused_and_change_nothing(self):
        async with self.session(self.server) as s:
            for name, args in [("executor_shell", {"command": "rm -rf ~"}), ("no_such_tool", {}),
                               ("create_todo", {}), ("create_todo", {"title": 42}),
                               ("create_todo", {"title": "x", "owner": "me"}),
                               ("create_todo", {"title": "x", "priority": "whenever"}),
                               ("create_todo", {"title": "x", "tags": "not a list"})]:
                with self.assertRaises(MCPError, msg=f"{name} {args}") as refused:
                    await s.call_tool(name, args)
                self.assertEqual(refused.exception.code, types.INVALID_PARAMS, refused.exception.message)
            # The session still works after the refusals.
            self.assertTrue((await s.list_tools()).tools)
        self.assertEqual(self.server.todos(), [])
        self.assertEqual(self.server.tasks(), [], "nothing was even stored as a task")

    async def test_a_subscribed_resource_is_announced_when_it_changes(self):
        updated = asyncio.Queue()

        async def on_message(message):
            if isinstance(message, types.ResourceUpdatedNotification):
                await updated.put(str(message.params.uri))

        async with self.session(self.server, message_handler=on_message) as s:
            await s.subscribe_resource("clawchat://todos/open")
            await asyncio.to_thread(self.server.call, "POST", "/api/todos", {"title": "buy stamps"})
            uri = await asyncio.wait_for(updated.get(), 10)
        self.assertEqual(uri, "clawchat://todos/open")


def _watch(server):
    """A /ws connection on the server's fan-out (a ping has come back)."""
    ws = websocket.create_connection(server.base.replace("http", "ws", 1) + "/ws", timeout=10)
    ws.send(json.dumps({"type": "auth", "data": {"token": server.token}}))
    ws.send(json.dumps({"type": "ping"}))
    _next(ws, "pong")
    return ws


def _next(ws, kind):
    """The data of the next /ws frame of type `kind`."""
    while True:
        frame = json.loads(ws.recv())
        if frame["type"] == kind:
            return frame.get("data")


def _today():
    import datetime
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


class StreamableHttpTest(Transport, unittest.IsolatedAsyncioTestCase):
    session = staticmethod(http_session)

    async def test_a_revoked_token_is_refused_at_once_open_sessions_included(self):
        async with http_session(self.server) as s:
            await s.call_tool("create_todo", {"title": "before"})
            self.server.call("DELETE", f"/api/mcp/clients/{self.server.client['id']}")
            with self.assertRaises(Exception):
                await asyncio.wait_for(s.call_tool("create_todo", {"title": "after"}), 10)
        self.assertEqual([t["title"] for t in self.server.todos()], ["before"])
        self.assertEqual(self.server.status("POST", "/mcp", {}, {"Authorization": f"Bearer {self.server.mcp_token}"}),
                         401)

    def test_mcp_off_answers_404(self):
        self.server.call("PATCH", "/api/settings", {"mcp_enabled": False})
        headers = {"Authorization": f"Bearer {self.server.mcp_token}", "Content-Type": "application/json",
                   "Accept": "application/json, text/event-stream"}
        self.assertEqual(self.server.status("POST", "/mcp", {"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers),
                         404)

    async def test_an_oversized_request_is_refused_and_changes_nothing(self):
        async with http_session(self.server) as s:
            with self.assertRaises(Exception):
                await asyncio.wait_for(s.call_tool("create_todo", {"title": "x" * 400_000}), 10)
        self.assertEqual(self.server.todos(), [])


class StdioTest(Transport, unittest.IsolatedAsyncioTestCase):
    session = staticmethod(stdio_session)

    async def test_a_revoked_token_is_refused_with_the_fix(self):
        self.server.call("DELETE", f"/api/mcp/clients/{self.server.client['id']}")
        refused = await refused_start(server=self.server)
        self.assertIn("revoked", refused.message)
        self.assertIn("Settings", refused.message)

    async def test_mcp_off_is_an_error_that_names_the_switch(self):
        self.server.call("PATCH", "/api/settings", {"mcp_enabled": False})
        refused = await refused_start(server=self.server)
        self.assertIn("MCP is off", refused.message)

    async def test_the_app_not_running_is_an_error_that_names_the_fix(self):
        data_dir = self.server.dir
        token = self.server.mcp_token
        self.server.proc.terminate()
        self.server.proc.wait(timeout=20)
        refused = await refused_start(token=token, data_dir=data_dir)
        self.assertIn("ClawChat is not running", refused.message)
        self.assertIn("Start the ClawChat app", refused.message)
        # An address recorded by an app that is gone (a crash leaves it behind) says the same.
        refused = await refused_start(token=token, data_dir=data_dir, url="http://127.0.0.1:9")
        self.assertIn("ClawChat is not running", refused.message)


if __name__ == "__main__":
    unittest.main()
