// Response: the namespace of Response.parse; decoded messages themselves are plain objects.

import { parseResponse } from "./decode.js";

export const Response = Object.freeze({ parse: parseResponse });
