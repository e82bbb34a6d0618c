// Float fields (a market's minimal amounts) read exactly as JSON.parse reads them: the decoder
// hands JS the number's text, and a text JSON.parse would read as Infinity is refused.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Response } from "../../js/node.js";

const texts = [
  "0.0004",
  "-2E-3",
  "8",
  "-0",
  "0e5",
  "1.5e+2",
  "1e-400",
  "5e-324",
  "1.7976931348623157e308",
  "1.7976931348623158e308",
  // serde_json's best-effort reading of these is one unit in the last place off.
  "2.3333333333333333e+117",
  "2333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333350",
  "0.1000000000000000055511151231257827021181583404541015625",
];

test("float fields are the numbers JSON.parse reads from the same text", () => {
  for (const text of texts) {
    for (const market of ["btctwd", "b\u00e9twd"]) {
      const frame = `{"e":"snapshot","c":"market_status","ms":[{"M":"${market}","mba":${text},"mqa":${text}}]}`;
      const [status] = Response.parse(frame).marketStatus;
      const expected = JSON.parse(frame).ms[0].mba;
      assert.ok(Object.is(status.minimalBaseAmount, expected), `${text}: ${status.minimalBaseAmount} vs ${expected}`);
      assert.ok(Object.is(status.minimalQuoteAmount, expected), text);
      assert.equal(status.market, market);
    }
  }
});

test("a float JSON.parse would read as Infinity is refused, whatever its form", () => {
  for (const text of ["1e400", "-1e309", "1.7976931348623159e308", "17976931348623159" + "0".repeat(292)]) {
    assert.equal(Math.abs(JSON.parse(text)), Infinity);
    assert.throws(
      () => Response.parse(`{"e":"x","ms":[{"mqa":${text}}]}`),
      { message: new RegExp(`ms\\[0\\]\\.mqa: number "${text.slice(0, 20)}[0-9]*"…? is out of range`) },
      text,
    );
  }
});
