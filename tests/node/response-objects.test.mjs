// Decoded messages are plain objects at every depth: what JSON.parse would give a user, plus Dates.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Response } from "../../js/node.js";
import { documentedMessages } from "../support/fixtures.mjs";

/** Every object and array inside `value`, with its path. */
function* walk(value, path = "response") {
  if (value === null || typeof value !== "object" || value instanceof Date) return;
  yield [path, value];
  for (const [key, item] of Object.entries(value)) yield* walk(item, `${path}.${key}`);
}

test("every decoded object is a plain object with only its present fields as own data properties", () => {
  let objects = 0;
  for (const text of documentedMessages()) {
    for (const [path, value] of walk(Response.parse(text))) {
      if (Array.isArray(value)) continue;
      objects += 1;
      assert.equal(Object.getPrototypeOf(value), Object.prototype, path);
      assert.equal(value.constructor, Object, path);
      assert.equal(Object.prototype.toString.call(value), "[object Object]", path);
      for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
        assert.ok("value" in descriptor && descriptor.enumerable && descriptor.writable, `${path}.${key}`);
        assert.notEqual(descriptor.value, undefined, `${path}.${key}`);
      }
    }
  }
  assert.ok(objects > 34, `${objects} objects checked`);
});

test("a decoded message equals its structured clone and its JSON round trip (times as ISO strings)", () => {
  const text = documentedMessages().find((t) => t.includes('"order_update"'));
  const response = Response.parse(text);
  assert.deepStrictEqual(structuredClone(response), response);
  const json = JSON.parse(JSON.stringify(response));
  assert.equal(json.orders[0].createdAt, response.orders[0].createdAt.toISOString());
  assert.deepEqual(Object.keys(json.orders[0]), Object.keys(response.orders[0]));
});
