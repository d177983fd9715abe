import { describe, expect, it } from "vitest";
import { mcpSnippets } from "../src/lib/mcp";

describe("the MCP configuration snippets", () => {
  it("launch the stdio bridge with the token in its environment", () => {
    const { stdio } = mcpSnippets("clawchat_mcp_abc", "http://127.0.0.1:8000");
    expect(JSON.parse(stdio)).toEqual({
      mcpServers: { clawchat: { command: "clawchat-server", args: ["mcp"], env: { CLAWCHAT_MCP_TOKEN: "clawchat_mcp_abc" } } },
    });
  });

  it("point an HTTP client at /mcp of this app with the token as a bearer token", () => {
    const { http } = mcpSnippets("clawchat_mcp_abc", "http://127.0.0.1:8000/");
    expect(JSON.parse(http).mcpServers.clawchat).toEqual({
      type: "http",
      url: "http://127.0.0.1:8000/mcp",
      headers: { Authorization: "Bearer clawchat_mcp_abc" },
    });
  });
});
