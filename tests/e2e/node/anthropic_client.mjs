// The official Anthropic SDK against gatehoused: `node anthropic_client.mjs CASE` (see
// common.mjs for the environment). Prints one JSON object.
import Anthropic from '@anthropic-ai/sdk';
import { describeError, gatehouseHeaders, question, run, toolResult, weatherSchema } from './common.mjs';

function client(cfg) {
  return new Anthropic({
    apiKey: cfg.key,
    baseURL: cfg.url,
    defaultHeaders: cfg.headers,
    maxRetries: 0,
    timeout: 20_000,
  });
}

const system = 'You are terse.';
const messages = [{ role: 'user', content: question }];
const tools = [{ name: 'get_weather', description: 'Current weather of a city', input_schema: weatherSchema }];

function blocks(message) {
  return message.content.map((b) =>
    b.type === 'tool_use' ? { type: b.type, id: b.id, name: b.name, input: b.input } : { type: b.type, text: b.text },
  );
}

await run({
  async message(cfg) {
    const { data, response } = await client(cfg)
      .messages.create({ model: cfg.model, max_tokens: 300, system, messages })
      .withResponse();
    return {
      type: data.type,
      role: data.role,
      content: blocks(data),
      stopReason: data.stop_reason,
      usage: data.usage,
      gatehouse: gatehouseHeaders(response.headers),
    };
  },

  // The SDK's stream helper: text events, and the final message it assembles from the events
  // (it throws on events out of order).
  async stream(cfg) {
    const stream = client(cfg).messages.stream({ model: cfg.model, max_tokens: 300, system, messages });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    return { text, content: blocks(final), stopReason: final.stop_reason, usage: final.usage };
  },

  // The raw event stream, as the events arrive.
  async streamEvents(cfg) {
    const { data: stream, response } = await client(cfg)
      .messages.create({ model: cfg.model, max_tokens: 300, system, messages, stream: true })
      .withResponse();
    const types = [];
    let text = '';
    let outputTokens = null;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') outputTokens = event.usage?.output_tokens ?? null;
    }
    return { types, text, outputTokens, gatehouse: gatehouseHeaders(response.headers) };
  },

  async tools(cfg) {
    const { data, response } = await client(cfg)
      .messages.create({ model: cfg.model, max_tokens: 300, system, messages, tools })
      .withResponse();
    return {
      content: blocks(data),
      stopReason: data.stop_reason,
      usage: data.usage,
      gatehouse: gatehouseHeaders(response.headers),
    };
  },

  async toolsStream(cfg) {
    const stream = client(cfg).messages.stream({ model: cfg.model, max_tokens: 300, system, messages, tools });
    let jsonDeltas = 0;
    stream.on('inputJson', () => {
      jsonDeltas += 1;
    });
    const final = await stream.finalMessage();
    return { content: blocks(final), stopReason: final.stop_reason, inputJsonDeltas: jsonDeltas, usage: final.usage };
  },

  async toolRoundTrip(cfg) {
    const c = client(cfg);
    const first = await c.messages.create({ model: cfg.model, max_tokens: 300, system, messages, tools });
    const use = first.content.find((b) => b.type === 'tool_use');
    if (!use) return { error: 'no tool_use in the first turn' };
    const second = await c.messages.create({
      model: cfg.model,
      max_tokens: 300,
      system,
      tools,
      messages: [
        ...messages,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: toolResult }] },
      ],
    });
    return { content: blocks(second), stopReason: second.stop_reason };
  },

  async denied(cfg) {
    try {
      await client(cfg).messages.create({ model: cfg.model, max_tokens: 300, messages });
      return { error: null };
    } catch (err) {
      return {
        error: describeError(err),
        apiMessage: err?.apiMessage ?? null,
        isPermissionDenied: err instanceof Anthropic.PermissionDeniedError,
        isApiError: err instanceof Anthropic.APIError,
      };
    }
  },

  async deniedStream(cfg) {
    try {
      const stream = client(cfg).messages.stream({ model: cfg.model, max_tokens: 300, messages });
      await stream.finalMessage();
      return { error: null };
    } catch (err) {
      return {
        error: describeError(err),
        apiMessage: err?.apiMessage ?? null,
        isPermissionDenied: err instanceof Anthropic.PermissionDeniedError,
      };
    }
  },

  async models(cfg) {
    const ids = [];
    for await (const model of client(cfg).models.list()) ids.push(model.id);
    return { ids };
  },
});
