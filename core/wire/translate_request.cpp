// Request translation, both directions (see translate.h).
#include "wire/translate.h"

#include "wire/json_util.h"

namespace gh::wire {

using namespace detail;

namespace {

using Failure = Result<json::object>;

std::string at(std::string_view path, std::size_t i) {
    return std::string(path) + "[" + std::to_string(i) + "]";
}

// The texts of a string or of an array of text blocks/parts; nullopt when something else is in it.
std::optional<std::string> plainText(const json::value& content, std::string_view separator) {
    if (content.is_string())
        return std::string(view(content.get_string()));
    const auto* parts = content.if_array();
    if (!parts)
        return content.is_null() ? std::optional<std::string>("") : std::nullopt;
    std::string text;
    for (const auto& p : *parts) {
        const auto* part = p.if_object();
        if (!part || stringOr(*part, "type") != "text")
            return std::nullopt;
        if (!text.empty())
            text.append(separator);
        text.append(stringOr(*part, "text"));
    }
    return text;
}

json::object textPart(std::string_view text) {
    json::object part;
    part["type"] = "text";
    part["text"] = text;
    return part;
}

// ---------------------------------------------------------------- Anthropic -> OpenAI

// {"type":"image","source":{...}} -> {"type":"image_url","image_url":{"url":...}}
std::optional<json::object> openaiImagePart(const json::object& block) {
    const auto* source = getObject(block, "source");
    if (!source)
        return std::nullopt;
    const std::string_view kind = stringOr(*source, "type");
    std::string url;
    if (kind == "base64")
        url = "data:" + std::string(stringOr(*source, "media_type")) + ";base64," +
              std::string(stringOr(*source, "data"));
    else if (kind == "url")
        url = std::string(stringOr(*source, "url"));
    else
        return std::nullopt;
    json::object image;
    image["url"] = url;
    json::object part;
    part["type"] = "image_url";
    part["image_url"] = std::move(image);
    return part;
}

std::string unsupportedBlock(std::string_view type, const std::string& path) {
    return "content block type '" + std::string(type) + "' in '" + path +
           "' cannot be sent to the OpenAI-compatible model this route uses";
}

// A user turn: tool_result blocks become role "tool" messages (OpenAI wants them right after
// the assistant's tool calls), the rest one user message after them. Images inside tool results
// move to that user message, since OpenAI tool messages carry text only.
std::string userToOpenAI(const json::object& message, const std::string& path, json::array& out) {
    const auto* content = member(message, "content");
    if (content && content->is_string()) {
        json::object m;
        m["role"] = "user";
        m["content"] = content->get_string();
        out.push_back(std::move(m));
        return {};
    }
    const auto* blocks = content ? content->if_array() : nullptr;
    if (!blocks)
        return {};
    json::array parts;
    bool sawToolResult = false;
    for (std::size_t i = 0; i < blocks->size(); ++i) {
        const std::string blockPath = at(path + ".content", i);
        const auto* block = (*blocks)[i].if_object();
        if (!block)
            continue;
        const std::string_view type = stringOr(*block, "type");
        if (type == "text") {
            parts.push_back(textPart(stringOr(*block, "text")));
        } else if (type == "image") {
            auto image = openaiImagePart(*block);
            if (!image)
                return "the image in '" + blockPath + "' needs a base64 or url source";
            parts.push_back(std::move(*image));
        } else if (type == "tool_result") {
            sawToolResult = true;
            json::object tool;
            tool["role"] = "tool";
            tool["tool_call_id"] = stringOr(*block, "tool_use_id");
            std::string text;
            if (const auto* c = member(*block, "content")) {
                if (c->is_string()) {
                    text = view(c->get_string());
                } else if (const auto* items = c->if_array()) {
                    for (const auto& item : *items) {
                        const auto* b = item.if_object();
                        if (!b)
                            continue;
                        if (stringOr(*b, "type") == "text") {
                            if (!text.empty())
                                text.push_back('\n');
                            text.append(stringOr(*b, "text"));
                        } else if (stringOr(*b, "type") == "image") {
                            if (auto image = openaiImagePart(*b))
                                parts.push_back(std::move(*image));
                        }
                    }
                }
            }
            tool["content"] = text;
            out.push_back(std::move(tool));
        } else {
            return unsupportedBlock(type, blockPath);
        }
    }
    if (!parts.empty()) {
        json::object m;
        m["role"] = "user";
        // A lone text beside tool results is the turn's message: plain content, as OpenAI
        // clients write it.
        if (sawToolResult && parts.size() == 1 && stringOr(parts[0].get_object(), "type") == "text")
            m["content"] = parts[0].get_object()["text"];
        else
            m["content"] = std::move(parts);
        out.push_back(std::move(m));
    }
    return {};
}

std::string assistantToOpenAI(const json::object& message, const std::string& path, json::array& out) {
    json::object m;
    m["role"] = "assistant";
    const auto* content = member(message, "content");
    if (content && content->is_string()) {
        m["content"] = content->get_string();
        out.push_back(std::move(m));
        return {};
    }
    const auto* blocks = content ? content->if_array() : nullptr;
    std::string text;
    json::array calls;
    for (std::size_t i = 0; blocks && i < blocks->size(); ++i) {
        const auto* block = (*blocks)[i].if_object();
        if (!block)
            continue;
        const std::string_view type = stringOr(*block, "type");
        if (type == "text") {
            if (!text.empty())
                text.append("\n\n");
            text.append(stringOr(*block, "text"));
        } else if (type == "tool_use") {
            json::object function;
            function["name"] = stringOr(*block, "name");
            const auto* input = member(*block, "input");
            function["arguments"] = input ? json::serialize(*input) : std::string("{}");
            json::object call;
            call["id"] = stringOr(*block, "id");
            call["type"] = "function";
            call["function"] = std::move(function);
            calls.push_back(std::move(call));
        } else if (type == "thinking" || type == "redacted_thinking") {
            // Signed reasoning of an Anthropic model; meaningless to another model.
        } else {
            return unsupportedBlock(type, at(path + ".content", i));
        }
    }
    if (text.empty() && !calls.empty())
        m["content"] = nullptr;
    else
        m["content"] = text;
    if (!calls.empty())
        m["tool_calls"] = std::move(calls);
    out.push_back(std::move(m));
    return {};
}

std::optional<json::value> openaiToolChoice(const json::object& choice, bool& parallelOff) {
    parallelOff = getBool(choice, "disable_parallel_tool_use").value_or(false);
    const std::string_view type = stringOr(choice, "type");
    if (type == "auto")
        return json::value("auto");
    if (type == "any")
        return json::value("required");
    if (type == "none")
        return json::value("none");
    if (type == "tool") {
        json::object function;
        function["name"] = stringOr(choice, "name");
        json::object c;
        c["type"] = "function";
        c["function"] = std::move(function);
        return json::value(std::move(c));
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- OpenAI -> Anthropic

// "data:image/png;base64,AAAA" -> base64 source; http(s) URL -> url source.
std::optional<json::object> anthropicImageBlock(const json::object& part) {
    const auto* image = getObject(part, "image_url");
    const std::string_view url = image ? stringOr(*image, "url") : stringOr(part, "image_url");
    json::object source;
    if (url.rfind("data:", 0) == 0) {
        const auto marker = url.find(";base64,");
        if (marker == std::string_view::npos)
            return std::nullopt;
        source["type"] = "base64";
        source["media_type"] = url.substr(5, marker - 5);
        source["data"] = url.substr(marker + 8);
    } else if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) {
        source["type"] = "url";
        source["url"] = url;
    } else {
        return std::nullopt;
    }
    json::object block;
    block["type"] = "image";
    block["source"] = std::move(source);
    return block;
}

std::string unsupportedPart(std::string_view type, const std::string& path) {
    return "content part type '" + std::string(type) + "' in '" + path +
           "' cannot be sent to the Anthropic model this route uses";
}

// User content: a string stays a string, parts become blocks.
std::string userContentToAnthropic(const json::value& content, const std::string& path, json::value& out) {
    if (content.is_string()) {
        out = content.get_string();
        return {};
    }
    json::array blocks;
    if (const auto* parts = content.if_array()) {
        for (std::size_t i = 0; i < parts->size(); ++i) {
            const auto* part = (*parts)[i].if_object();
            if (!part)
                continue;
            const std::string_view type = stringOr(*part, "type");
            if (type == "text") {
                blocks.push_back(textPart(stringOr(*part, "text")));
            } else if (type == "image_url") {
                auto block = anthropicImageBlock(*part);
                if (!block)
                    return "the image in '" + at(path, i) + "' must be an http(s) URL or a base64 data URL";
                blocks.push_back(std::move(*block));
            } else {
                return unsupportedPart(type, at(path, i));
            }
        }
    }
    out = std::move(blocks);
    return {};
}

// Tool-call arguments are a JSON string in OpenAI, an object in Anthropic. "" means no arguments.
std::optional<json::object> parseArguments(std::string_view arguments) {
    if (arguments.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return json::object();
    return parseObject(arguments);
}

std::optional<json::value> anthropicToolChoice(const json::value& choice) {
    json::object c;
    if (choice.is_string()) {
        const std::string_view s = view(choice.get_string());
        if (s == "auto")
            c["type"] = "auto";
        else if (s == "required")
            c["type"] = "any";
        else if (s == "none")
            c["type"] = "none";
        else
            return std::nullopt;
    } else if (const auto* o = choice.if_object()) {
        const auto* function = getObject(*o, "function");
        if (stringOr(*o, "type") != "function" || !function)
            return std::nullopt;
        c["type"] = "tool";
        c["name"] = stringOr(*function, "name");
    } else {
        return std::nullopt;
    }
    return json::value(std::move(c));
}

} // namespace

Result<json::object> anthropicRequestToOpenAI(const json::object& request, const RequestOptions& options) {
    json::object out;
    out["model"] = options.model.empty() ? stringOr(request, "model") : options.model;

    json::array messages;
    if (const auto* system = member(request, "system")) {
        const auto text = plainText(*system, "\n\n");
        if (!text)
            return Failure::failure("'system' must be a string or an array of text blocks");
        if (!text->empty()) {
            json::object m;
            m["role"] = "system";
            m["content"] = *text;
            messages.push_back(std::move(m));
        }
    }
    if (const auto* input = getArray(request, "messages")) {
        for (std::size_t i = 0; i < input->size(); ++i) {
            const auto* message = (*input)[i].if_object();
            if (!message)
                continue;
            const std::string path = at("messages", i);
            const std::string e = stringOr(*message, "role") == "assistant"
                                      ? assistantToOpenAI(*message, path, messages)
                                      : userToOpenAI(*message, path, messages);
            if (!e.empty())
                return Failure::failure(e);
        }
    }
    out["messages"] = std::move(messages);

    if (const auto* maxTokens = member(request, "max_tokens"))
        out[options.maxCompletionTokens ? "max_completion_tokens" : "max_tokens"] = *maxTokens;
    for (const char* key : {"temperature", "top_p"})
        if (const auto* v = member(request, key))
            out[key] = *v;
    if (const auto* stop = getArray(request, "stop_sequences"); stop && !stop->empty())
        out["stop"] = *stop;
    if (const auto* metadata = getObject(request, "metadata"))
        if (auto user = getString(*metadata, "user_id"))
            out["user"] = *user;

    const auto* tools = getArray(request, "tools");
    if (tools && !tools->empty()) {
        json::array converted;
        for (std::size_t i = 0; i < tools->size(); ++i) {
            const auto* tool = (*tools)[i].if_object();
            if (!tool)
                continue;
            const std::string_view type = stringOr(*tool, "type", "custom");
            if (type != "custom")
                return Failure::failure("tool '" + std::string(stringOr(*tool, "name")) + "' in '" + at("tools", i) +
                                        "' is an Anthropic server tool (type " + std::string(type) +
                                        ") that the OpenAI-compatible model this route uses cannot run");
            json::object function;
            function["name"] = stringOr(*tool, "name");
            if (auto d = getString(*tool, "description"))
                function["description"] = *d;
            if (const auto* schema = member(*tool, "input_schema"))
                function["parameters"] = *schema;
            json::object t;
            t["type"] = "function";
            t["function"] = std::move(function);
            converted.push_back(std::move(t));
        }
        out["tools"] = std::move(converted);
        if (const auto* choice = getObject(request, "tool_choice")) {
            bool parallelOff = false;
            auto c = openaiToolChoice(*choice, parallelOff);
            if (!c)
                return Failure::failure("'tool_choice.type' must be one of auto, any, tool, none");
            out["tool_choice"] = std::move(*c);
            if (parallelOff)
                out["parallel_tool_calls"] = false;
        }
    }

    if (getBool(request, "stream").value_or(false)) {
        out["stream"] = true;
        // Without it an OpenAI stream carries no usage, and spend would go unrecorded.
        json::object streamOptions;
        streamOptions["include_usage"] = true;
        out["stream_options"] = std::move(streamOptions);
    }
    return out;
}

Result<json::object> openaiRequestToAnthropic(const json::object& request, const RequestOptions& options) {
    if (const auto n = getInt(request, "n"); n && *n > 1)
        return Failure::failure("'n' is " + std::to_string(*n) +
                                ", but the Anthropic model this route uses returns one choice per request: send n: 1");
    if (const auto* format = getObject(request, "response_format")) {
        const std::string_view type = stringOr(*format, "type", "text");
        if (type != "text")
            return Failure::failure("'response_format' of type '" + std::string(type) +
                                    "' is not supported by the Anthropic model this route uses: describe the format "
                                    "in the prompt, or declare a tool whose parameters are the schema");
    }

    json::object out;
    out["model"] = options.model.empty() ? stringOr(request, "model") : options.model;

    std::vector<std::string> system;
    json::array messages;
    bool lastIsToolResults = false; // the last message holds tool results only: merge the next ones
    if (const auto* input = getArray(request, "messages")) {
        for (std::size_t i = 0; i < input->size(); ++i) {
            const auto* message = (*input)[i].if_object();
            if (!message)
                continue;
            const std::string path = at("messages", i);
            const std::string_view role = stringOr(*message, "role");
            const json::value* content = member(*message, "content");
            static const json::value kNull;
            if (!content)
                content = &kNull;

            if (role == "system" || role == "developer") {
                // Anthropic has one system prompt: instructions given mid-conversation join it.
                auto text = plainText(*content, "\n\n");
                if (!text)
                    return Failure::failure("'" + path + ".content' of a " + std::string(role) +
                                            " message must be text for the Anthropic model this route uses");
                if (!text->empty())
                    system.push_back(std::move(*text));
                continue;
            }
            if (role == "tool") {
                json::object result;
                result["type"] = "tool_result";
                result["tool_use_id"] = stringOr(*message, "tool_call_id");
                if (content->is_array()) {
                    json::value converted;
                    if (auto e = userContentToAnthropic(*content, path + ".content", converted); !e.empty())
                        return Failure::failure(e);
                    result["content"] = std::move(converted);
                } else {
                    result["content"] = content->is_string() ? content->get_string() : json::string();
                }
                if (lastIsToolResults) {
                    messages.back().get_object()["content"].get_array().push_back(std::move(result));
                } else {
                    json::array blocks;
                    blocks.push_back(std::move(result));
                    json::object m;
                    m["role"] = "user";
                    m["content"] = std::move(blocks);
                    messages.push_back(std::move(m));
                    lastIsToolResults = true;
                }
                continue;
            }
            json::object m;
            m["role"] = role == "assistant" ? "assistant" : "user";
            if (role != "assistant") {
                json::value converted;
                if (auto e = userContentToAnthropic(*content, path + ".content", converted); !e.empty())
                    return Failure::failure(e);
                if (lastIsToolResults) {
                    // What follows tool results joins their turn, as Anthropic clients send it.
                    auto& blocks = messages.back().get_object()["content"].get_array();
                    if (converted.is_string()) {
                        if (!converted.get_string().empty())
                            blocks.push_back(textPart(view(converted.get_string())));
                    } else {
                        for (auto& b : converted.get_array())
                            blocks.push_back(std::move(b));
                    }
                    lastIsToolResults = false;
                    continue;
                }
                m["content"] = std::move(converted);
                messages.push_back(std::move(m));
                continue;
            }
            lastIsToolResults = false;
            const auto* calls = getArray(*message, "tool_calls");
            if (content->is_string() && (!calls || calls->empty())) {
                m["content"] = content->get_string();
                messages.push_back(std::move(m));
                continue;
            }
            json::array blocks;
            const auto text = plainText(*content, "\n\n");
            if (!text)
                return Failure::failure("'" + path + ".content' of an assistant message must be text");
            if (!text->empty())
                blocks.push_back(textPart(*text));
            for (std::size_t c = 0; calls && c < calls->size(); ++c) {
                const auto* call = (*calls)[c].if_object();
                const auto* function = call ? getObject(*call, "function") : nullptr;
                if (!function)
                    continue;
                const std::string callPath = at(path + ".tool_calls", c);
                auto arguments = parseArguments(stringOr(*function, "arguments"));
                if (!arguments)
                    return Failure::failure("'" + callPath +
                                            ".function.arguments' must be a JSON object serialised as a string for "
                                            "the Anthropic model this route uses");
                json::object use;
                use["type"] = "tool_use";
                use["id"] = stringOr(*call, "id");
                use["name"] = stringOr(*function, "name");
                use["input"] = std::move(*arguments);
                blocks.push_back(std::move(use));
            }
            if (blocks.empty())
                continue; // an empty assistant turn: Anthropic refuses empty content
            m["content"] = std::move(blocks);
            messages.push_back(std::move(m));
        }
    }
    if (system.size() == 1) {
        out["system"] = system.front();
    } else if (!system.empty()) {
        json::array blocks;
        for (const auto& s : system)
            blocks.push_back(textPart(s));
        out["system"] = std::move(blocks);
    }
    out["messages"] = std::move(messages);

    std::optional<std::int64_t> maxTokens = getInt(request, "max_completion_tokens");
    if (!maxTokens)
        maxTokens = getInt(request, "max_tokens");
    out["max_tokens"] = maxTokens.value_or(options.defaultMaxTokens);

    if (const auto* stop = member(request, "stop")) {
        if (stop->is_string()) {
            json::array sequences;
            sequences.push_back(stop->get_string());
            out["stop_sequences"] = std::move(sequences);
        } else if (stop->is_array() && !stop->get_array().empty()) {
            out["stop_sequences"] = *stop;
        }
    }
    if (const auto* t = member(request, "temperature"); t && t->is_number()) {
        // OpenAI's range is 0..2, Anthropic's 0..1.
        const double temperature = t->to_number<double>();
        out["temperature"] = temperature > 1.0 ? 1.0 : temperature;
    }
    if (const auto* p = member(request, "top_p"); p && p->is_number())
        out["top_p"] = *p;
    if (auto user = getString(request, "user")) {
        json::object metadata;
        metadata["user_id"] = *user;
        out["metadata"] = std::move(metadata);
    }

    const auto* tools = getArray(request, "tools");
    if (tools && !tools->empty()) {
        json::array converted;
        for (std::size_t i = 0; i < tools->size(); ++i) {
            const auto* tool = (*tools)[i].if_object();
            if (!tool)
                continue;
            const auto* function = getObject(*tool, "function");
            if (stringOr(*tool, "type") != "function" || !function)
                return Failure::failure("'" + at("tools", i) + "' is a '" + std::string(stringOr(*tool, "type")) +
                                        "' tool; the Anthropic model this route uses takes function tools only");
            json::object t;
            t["name"] = stringOr(*function, "name");
            if (auto d = getString(*function, "description"))
                t["description"] = *d;
            if (const auto* parameters = getObject(*function, "parameters")) {
                t["input_schema"] = *parameters;
            } else {
                // Anthropic requires a schema; a function without parameters takes an empty object.
                json::object empty;
                empty["type"] = "object";
                empty["properties"] = json::object();
                t["input_schema"] = std::move(empty);
            }
            converted.push_back(std::move(t));
        }
        out["tools"] = std::move(converted);
        json::object choice;
        if (const auto* c = member(request, "tool_choice"); c && !c->is_null()) {
            auto mapped = anthropicToolChoice(*c);
            if (!mapped)
                return Failure::failure("'tool_choice' must be \"auto\", \"required\", \"none\" or {\"type\": "
                                        "\"function\", \"function\": {\"name\": ...}}");
            choice = std::move(mapped->get_object());
        }
        if (getBool(request, "parallel_tool_calls") == false && stringOr(choice, "type") != "none") {
            if (choice.empty())
                choice["type"] = "auto";
            choice["disable_parallel_tool_use"] = true;
        }
        if (!choice.empty())
            out["tool_choice"] = std::move(choice);
    }

    if (getBool(request, "stream").value_or(false))
        out["stream"] = true;
    return out;
}

} // namespace gh::wire
