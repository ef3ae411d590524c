// The official OpenAI SDK against gatehoused: `node openai_client.mjs CASE` (see common.mjs for
// the environment). Prints one JSON object.
import OpenAI from 'openai';
import { describeError, gatehouseHeaders, question, run, toolResult, weatherSchema } from './common.mjs';

function client(cfg) {
  return new OpenAI({
    apiKey: cfg.key,
    baseURL: `${cfg.url}/v1`,
    defaultHeaders: cfg.headers,
    maxRetries: 0,
    timeout: 20_000,
  });
}

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: question },
];
const tools = [
  { type: 'function', function: { name: 'get_weather', description: 'Current weather of a city', parameters: weatherSchema } },
];

function toolCalls(message) {
  return (message.tool_calls ?? []).map((c) => ({
    id: c.id,
    type: c.type,
    name: c.function.name,
    arguments: JSON.parse(c.function.arguments),
  }));
}

await run({
  async chat(cfg) {
    const { data, response } = await client(cfg)
      .chat.completions.create({ model: cfg.model, messages })
      .withResponse();
    const choice = data.choices[0];
    return {
      object: data.object,
      text: choice.message.content,
      role: choice.message.role,
      finishReason: choice.finish_reason,
      usage: data.usage,
      gatehouse: gatehouseHeaders(response.headers),
    };
  },

  async stream(cfg) {
    const { data: stream, response } = await client(cfg)
      .chat.completions.create({ model: cfg.model, messages, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let text = '';
    let chunks = 0;
    let finishReason = null;
    let usage = null;
    for await (const chunk of stream) {
      chunks += 1;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      text += choice.delta?.content ?? '';
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    return { text, chunks, finishReason, usage, gatehouse: gatehouseHeaders(response.headers) };
  },

  async tools(cfg) {
    const { data, response } = await client(cfg)
      .chat.completions.create({ model: cfg.model, messages, tools })
      .withResponse();
    const choice = data.choices[0];
    return {
      finishReason: choice.finish_reason,
      toolCalls: toolCalls(choice.message),
      usage: data.usage,
      gatehouse: gatehouseHeaders(response.headers),
    };
  },

  // The SDK's stream helper accumulates the deltas into a complete message (and throws on a
  // malformed stream).
  async toolsStream(cfg) {
    const stream = client(cfg).chat.completions.stream({
      model: cfg.model,
      messages,
      tools,
      stream_options: { include_usage: true },
    });
    let deltas = 0;
    stream.on('tool_calls.function.arguments.delta', () => {
      deltas += 1;
    });
    const completion = await stream.finalChatCompletion();
    const choice = completion.choices[0];
    return {
      finishReason: choice.finish_reason,
      toolCalls: toolCalls(choice.message),
      argumentDeltas: deltas,
      usage: completion.usage ?? null,
    };
  },

  // The second turn: the tool's result goes back, the model answers.
  async toolRoundTrip(cfg) {
    const c = client(cfg);
    const first = await c.chat.completions.create({ model: cfg.model, messages, tools });
    const call = first.choices[0].message.tool_calls?.[0];
    if (!call) return { error: 'no tool call in the first turn' };
    const second = await c.chat.completions.create({
      model: cfg.model,
      tools,
      messages: [
        ...messages,
        first.choices[0].message,
        { role: 'tool', tool_call_id: call.id, content: toolResult },
      ],
    });
    return { text: second.choices[0].message.content, finishReason: second.choices[0].finish_reason };
  },

  async denied(cfg) {
    try {
      await client(cfg).chat.completions.create({ model: cfg.model, messages });
      return { error: null };
    } catch (err) {
      return {
        error: describeError(err),
        isPermissionDenied: err instanceof OpenAI.PermissionDeniedError,
        isApiError: err instanceof OpenAI.APIError,
      };
    }
  },

  async deniedStream(cfg) {
    try {
      const stream = await client(cfg).chat.completions.create({ model: cfg.model, messages, stream: true });
      for await (const chunk of stream) void chunk;
      return { error: null };
    } catch (err) {
      return { error: describeError(err), isPermissionDenied: err instanceof OpenAI.PermissionDeniedError };
    }
  },

  async models(cfg) {
    const ids = [];
    for await (const model of client(cfg).models.list()) ids.push(model.id);
    return { ids };
  },
});
