import { describe, expect, it } from "vitest";
import { Api, ApiError, type Tokens } from "../src/lib/api/client";
import { fakeFetch } from "./fakes";

describe("the REST client", () => {
  it("sends the bearer token, refreshes once on 401 and retries with the new pair", async () => {
    let saved: Tokens | null = null;
    const f = fakeFetch((method, path, body, headers) => {
      if (path === "/api/auth/refresh") {
        expect(body).toEqual({ refresh_token: "r1" });
        return { status: 200, body: { access_token: "a2", refresh_token: "r2", token_type: "bearer", expires_in: 3600 } };
      }
      if (headers.Authorization === "Bearer a1") return { status: 401, body: { detail: "expired", code: "token_expired" } };
      return { status: 200, body: { items: [], total: 0, page: 1, limit: 20 } };
    });
    const api = new Api({ baseUrl: "http://127.0.0.1:9", tokens: { access_token: "a1", refresh_token: "r1" }, onTokens: (t) => (saved = t), fetch: f.impl });
    const page = await api.get<{ total: number }>("/api/todos");
    expect(page.total).toBe(0);
    expect(f.calls.map((c) => c.path)).toEqual(["/api/todos", "/api/auth/refresh", "/api/todos"]);
    expect(f.calls[2].auth).toBe("Bearer a2");
    expect(saved).toEqual({ access_token: "a2", refresh_token: "r2" });
  });

  it("ends the session when the refresh token is refused", async () => {
    let saved: Tokens | null | undefined;
    const f = fakeFetch((_m, path) =>
      path === "/api/auth/refresh" ? { status: 401, body: { detail: "reused", code: "refresh_reused" } } : { status: 401, body: { detail: "no", code: "token_expired" } },
    );
    const api = new Api({ baseUrl: "", tokens: { access_token: "a", refresh_token: "r" }, onTokens: (t) => (saved = t), fetch: f.impl });
    await expect(api.get("/api/today")).rejects.toBeInstanceOf(ApiError);
    expect(saved).toBeNull();
    expect(api.tokens).toBeNull();
  });

  it("turns the server's error shape into an ApiError with its code and field errors", async () => {
    const f = fakeFetch(() => ({
      status: 422,
      body: { detail: "title: must not be empty", code: "validation_failed", errors: [{ field: "title", message: "must not be empty" }] },
    }));
    const api = new Api({ baseUrl: "", tokens: { access_token: "a", refresh_token: "r" }, fetch: f.impl });
    const err = (await api.post("/api/todos", { title: "" }).catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.code).toBe("validation_failed");
    expect(err.message).toBe("title: must not be empty");
    expect(err.errors[0].field).toBe("title");
  });

  it("logs in with a PIN, or with a pairing code through verify-otp", async () => {
    const pair = { access_token: "a", refresh_token: "r", token_type: "bearer", expires_in: 3600 };
    const f = fakeFetch(() => ({ status: 200, body: pair }));
    const api = new Api({ baseUrl: "", tokens: null, fetch: f.impl });
    await api.login("12345678");
    await api.pair("493021");
    expect(f.calls[0]).toMatchObject({ path: "/api/auth/login", body: { pin: "12345678" } });
    expect(f.calls[1]).toMatchObject({ path: "/api/auth/verify-otp", body: { email: "pairing", otp: "493021" } });
    expect(api.tokens).toEqual({ access_token: "a", refresh_token: "r" });
  });
});
