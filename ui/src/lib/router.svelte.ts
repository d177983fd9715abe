// Client routes as real paths (`/todos`, `/calendar`...), which the server answers with
// the UI's page; links are plain anchors and the history API keeps the back button.
export const ROUTES = ["today", "chat", "todos", "calendar", "memos", "search", "settings"] as const;
export type Route = (typeof ROUTES)[number];

function parse(path: string): Route {
  const first = path.replace(/^\/+/, "").split("/")[0] as Route;
  return ROUTES.includes(first) ? first : "today";
}

class Router {
  route = $state<Route>(typeof window === "undefined" ? "today" : parse(window.location.pathname));

  constructor() {
    if (typeof window !== "undefined") {
      window.addEventListener("popstate", () => (this.route = parse(window.location.pathname)));
    }
  }

  go(route: Route) {
    if (route === this.route) return;
    window.history.pushState({}, "", `/${route}${window.location.search}`);
    this.route = route;
  }
}

export const router = new Router();
