"""/ws with websocket-client (the WebSocket client python-socketio's own client uses), two
connections of one user and a Socket.IO edge client against the real server: a message sent
over REST naming one connection streams its chunks there alone; the other connection gets
the answer whole in stream_end; both get the action card once; the Socket.IO client gets
query-result and never a chunk."""

import json
import queue
import unittest

import socketio
import websocket

from test_socketio import Server


class Connection:
    """A /ws connection that reads frames until the end of an answer."""

    def __init__(self, server, name=None):
        self.ws = websocket.create_connection(server.base.replace("http", "ws", 1) + "/ws", timeout=10)
        auth = {"token": server.token}
        if name:
            auth["connection_id"] = name
        self.send("auth", auth)
        # On the server's fan-out once a ping has come back.
        self.send("ping")
        self.until(lambda f: f["type"] == "pong")

    def send(self, kind, data=None):
        self.ws.send(json.dumps({"type": kind} if data is None else {"type": kind, "data": data}))

    def until(self, done):
        """Every frame up to and including the first one `done` holds for (10 s at most each)."""
        frames = []
        while True:
            frame = json.loads(self.ws.recv())
            frames.append(frame)
            if done(frame):
                return frames

    def answer(self, message_id):
        frames = self.until(lambda f: f["type"] == "stream_end" and f["data"]["message_id"] == message_id)
        return [f for f in frames if f.get("data", {}).get("message_id") == message_id]

    def close(self):
        self.ws.close()


def of_type(frames, kind):
    return [f for f in frames if f["type"] == kind]


class WsAnswersTest(unittest.TestCase):
    def setUp(self):
        self.server = Server()
        self.page = Connection(self.server, name="desktop-page")
        self.phone = Connection(self.server)
        self.edge_events = queue.Queue()
        self.edge = socketio.Client(reconnection=False)
        self.edge.on("*", lambda event, data: self.edge_events.put((event, data)))
        self.edge.connect(self.server.base, auth={"token": self.server.token}, transports=["websocket"],
                          wait_timeout=10)

    def tearDown(self):
        self.page.close()
        self.phone.close()
        self.edge.disconnect()
        self.server.stop()

    def test_a_rest_message_streams_to_the_connection_it_names_and_the_others_get_it_whole(self):
        delivered = self.server.call("POST", "/api/chat/send",
                                     {"content": "add renew the passport to my todo list",
                                      "connection_id": "desktop-page"})
        reply = delivered["reply_id"]
        asker, other = self.page.answer(reply), self.phone.answer(reply)

        chunks = of_type(asker, "stream_chunk")
        self.assertTrue(chunks, "the named connection gets the chunks")
        self.assertEqual([c["data"]["index"] for c in chunks], list(range(len(chunks))), "every chunk, in order")
        text = "".join(c["data"]["content"] for c in chunks)
        self.assertIn("renew the passport", text)
        self.assertEqual(of_type(other, "stream_chunk"), [], "the other connection gets no chunk")
        self.assertEqual(of_type(other, "stream_start"), of_type(asker, "stream_start"))
        [end] = of_type(other, "stream_end")
        self.assertEqual(end["data"]["full_content"], text, "stream_end carries the whole answer")
        for frames in (asker, other):
            cards = of_type(frames, "action_card")
            self.assertEqual([c["data"]["card_type"] for c in cards], ["todo_created"], "the card once")

        # The Socket.IO client heard the answer as a query-result, and no chunk. Its events
        # arrive in order, so by its query-result every earlier event has come.
        seen = []
        while not any(e == "query-result" and d["message_id"] == reply for e, d in seen):
            seen.append(self.edge_events.get(timeout=10))
        self.assertNotIn("stream_chunk", [e for e, _ in seen])


if __name__ == "__main__":
    unittest.main()
