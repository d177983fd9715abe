import { describe, expect, it } from "vitest";
import { repeatLabel } from "../src/lib/format";

describe("repeatLabel", () => {
  it("says the rules quick add makes in words", () => {
    expect(repeatLabel("FREQ=DAILY")).toBe("every day");
    expect(repeatLabel("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")).toBe("every weekday");
    expect(repeatLabel("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU")).toBe("every 2 weeks on Tue");
    expect(repeatLabel("FREQ=WEEKLY;BYDAY=MO,TH")).toBe("every week on Mon, Thu");
    expect(repeatLabel("FREQ=MONTHLY;BYMONTHDAY=1")).toBe("every month on the 1st");
    expect(repeatLabel("FREQ=MONTHLY;BYMONTHDAY=22")).toBe("every month on the 22nd");
    expect(repeatLabel("FREQ=MONTHLY;BYMONTHDAY=12")).toBe("every month on the 12th");
  });

  it("shows a rule it cannot say in words as it is", () => {
    expect(repeatLabel("FREQ=MONTHLY;BYDAY=1MO;COUNT=3")).toBe("FREQ=MONTHLY;BYDAY=1MO;COUNT=3");
    expect(repeatLabel("nonsense")).toBe("nonsense");
  });
});
