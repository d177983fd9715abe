// What the user pastes into an MCP client's configuration to reach ClawChat: the stdio
// bridge a desktop client launches (`clawchat-server mcp`, token in its environment), or
// the Streamable HTTP endpoint with the token as a bearer token. Both in the
// `mcpServers` shape desktop MCP clients read.

export interface McpSnippets {
  stdio: string;
  http: string;
}

/** The two snippets for `token`, with the app at `origin` (such as `http://127.0.0.1:8000`). */
export function mcpSnippets(token: string, origin: string): McpSnippets {
  const base = origin.replace(/\/$/, "");
  const stdio = {
    mcpServers: {
      clawchat: { command: "clawchat-server", args: ["mcp"], env: { CLAWCHAT_MCP_TOKEN: token } },
    },
  };
  const http = {
    mcpServers: {
      clawchat: { type: "http", url: `${base}/mcp`, headers: { Authorization: `Bearer ${token}` } },
    },
  };
  return { stdio: JSON.stringify(stdio, null, 2), http: JSON.stringify(http, null, 2) };
}
