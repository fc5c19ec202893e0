/**
 * Error answers as OpenAI writes them: `{ error: { message, type, param, code } }`, with the messages the real API
 * uses (shortened) so that code matching on them meets realistic text.
 */

export interface OpenAIErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export interface ErrorAnswer {
  status: number;
  /** A JSON error body, or raw text (a proxy's HTML page) when a string. */
  body: { error: OpenAIErrorBody } | string;
  headers?: Record<string, string>;
}

export function errorAnswer(status: number, error: Partial<OpenAIErrorBody> & { message: string }, headers?: Record<string, string>): ErrorAnswer {
  return {
    status,
    body: { error: { type: "invalid_request_error", param: null, code: null, ...error } },
    ...(headers ? { headers } : {}),
  };
}

/** OpenAI shows the first characters and the last four of a wrong key, never the whole key. */
export function maskKey(key: string): string {
  if (key.length <= 8) return "*".repeat(key.length);
  return `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}`;
}

export function missingKey(): ErrorAnswer {
  return errorAnswer(401, {
    message:
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
  });
}

export function incorrectKey(given: string): ErrorAnswer {
  return errorAnswer(401, {
    message: `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    code: "invalid_api_key",
  });
}

export function invalidURL(method: string, path: string): ErrorAnswer {
  return errorAnswer(404, { message: `Invalid URL (${method} ${path})` });
}

export function invalidJSON(): ErrorAnswer {
  return errorAnswer(400, {
    message:
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
  });
}

export function unknownParameter(name: string): ErrorAnswer {
  return errorAnswer(400, { message: `Unknown parameter: '${name}'.`, param: name, code: "unknown_parameter" });
}

export function missingParameter(name: string): ErrorAnswer {
  return errorAnswer(400, { message: `Missing required parameter: '${name}'.`, param: name, code: "missing_required_parameter" });
}

export function invalidValue(param: string, value: unknown, supported?: readonly string[]): ErrorAnswer {
  const list = supported ? ` Supported values are: ${supported.map((s) => `'${s}'`).join(", ")}.` : "";
  return errorAnswer(400, { message: `Invalid value: '${String(value)}'.${list}`, param, code: "invalid_value" });
}

export function modelNotFound(model: string): ErrorAnswer {
  return errorAnswer(404, {
    message: `The model '${model}' does not exist or you do not have access to it.`,
    param: "model",
    code: "model_not_found",
  });
}

export function rateLimited(model: string, retryAfterSeconds: number | undefined, code: string, headers: Record<string, string> = {}): ErrorAnswer {
  const wait = retryAfterSeconds === undefined ? "" : ` Please try again in ${retryAfterSeconds}s.`;
  return errorAnswer(
    429,
    {
      message: `Rate limit reached for ${model} in organization org-fake on images per minute (IPM): Limit 5, Used 5, Requested 1.${wait} Visit https://platform.openai.com/account/rate-limits to learn more.`,
      type: "requests",
      code,
    },
    { ...(retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) }), ...headers },
  );
}

export function insufficientQuota(): ErrorAnswer {
  return errorAnswer(429, {
    message:
      "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
    type: "insufficient_quota",
    code: "insufficient_quota",
  });
}

export function safetyRefusal(code: "moderation_blocked" | "content_policy_violation"): ErrorAnswer {
  return errorAnswer(400, {
    message:
      "Your request was rejected as a result of our safety system. Your request may contain content that is not allowed by our safety system.",
    type: code === "moderation_blocked" ? "image_generation_user_error" : "invalid_request_error",
    code,
  });
}

export function organisationNotVerified(model: string): ErrorAnswer {
  return errorAnswer(403, {
    message: `Your organization must be verified to use the model \`${model}\`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization. If you just verified, it can take up to 15 minutes for access to propagate.`,
  });
}

export function serverError(status: 500 | 502 | 503): ErrorAnswer {
  if (status === 502) {
    // What a gateway in front of the API answers: HTML, not the JSON error shape.
    return { status, body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>" };
  }
  if (status === 503) {
    return errorAnswer(503, { message: "The engine is currently overloaded, please try again later.", type: "server_error" });
  }
  return errorAnswer(500, {
    message: "The server had an error while processing your request. Sorry about that!",
    type: "server_error",
  });
}
