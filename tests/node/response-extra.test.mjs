// Unknown keys are kept in `extra` with their wire names (js/index.d.ts, `extra`), whatever the name.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Response } from "../../js/node.js";

test('an unknown key named "__proto__" is kept in extra, not made the prototype', () => {
  const response = Response.parse('{"e":"update","__proto__":{"polluted":1},"zz":2,"tk":{"M":"btcusdt","__proto__":[3]}}');
  assert.deepEqual(Object.keys(response.extra), ["__proto__", "zz"]);
  assert.deepEqual(response.extra.__proto__, { polluted: 1 });
  assert.equal(Object.getPrototypeOf(response.extra), Object.prototype);
  assert.equal(response.extra.polluted, undefined);
  assert.deepEqual(Object.getOwnPropertyDescriptor(response.ticker.extra, "__proto__").value, [3]);
  assert.equal(JSON.stringify(response.extra), '{"__proto__":{"polluted":1},"zz":2}');
});
