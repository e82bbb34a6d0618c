// The fixture reader lives in tests/support/fixtures.mjs; this name stays for the tests that import it.
export * from "../support/fixtures.mjs";
