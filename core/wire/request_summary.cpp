#include "wire/request_summary.h"

#include "util/text.h"
#include "wire/json_util.h"

#include <charconv>

namespace gh::wire {

using namespace detail;

namespace {

// "a string", "an array", "0", "-1.5": what the caller sent, for "..., not X".
std::string describe(const json::value& v) {
    switch (v.kind()) {
    case json::kind::null:
        return "null";
    case json::kind::bool_:
        return v.get_bool() ? "true" : "false";
    case json::kind::int64:
    case json::kind::uint64:
        return json::serialize(v);
    case json::kind::double_: {
        // Shortest form, as the caller wrote it ("1.5", not Boost's "1.5E0").
        char buffer[32];
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, v.get_double());
        return std::string(buffer, r.ptr);
    }
    case json::kind::string:
        return "a string";
    case json::kind::array:
        return "an array";
    case json::kind::object:
        return "an object";
    }
    return "a value";
}

std::string quoted(std::string_view path) {
    return "'" + std::string(path) + "'";
}

std::string indexed(std::string_view path, std::size_t i) {
    return std::string(path) + "[" + std::to_string(i) + "]";
}

// Checks shared by both formats. Each returns "" when the field is acceptable.

std::string checkModel(Format format, const json::object& body) {
    const auto* model = member(body, "model");
    if (!model || model->is_null())
        return format == Format::OpenAI
                   ? "'model' is required: name the model to use, e.g. \"model\": \"gpt-4.1\""
                   : "'model' is required: name the model to use, e.g. \"model\": \"claude-sonnet-4-5\"";
    if (!model->is_string())
        return "'model' must be a string, not " + describe(*model);
    if (model->get_string().empty())
        return "'model' must not be empty: name the model to use";
    return {};
}

std::string checkPositiveInt(const json::object& body, std::string_view key) {
    const auto* v = member(body, key);
    if (!v || v->is_null())
        return {};
    const auto n = asInt(*v);
    if (!n || *n <= 0)
        return quoted(key) + " must be a positive integer, not " + describe(*v);
    return {};
}

std::string checkStream(const json::object& body) {
    const auto* v = member(body, "stream");
    if (v && !v->is_null() && !v->is_bool())
        return "'stream' must be true or false, not " + describe(*v);
    return {};
}

// A content array: each element an object with a string `type`.
std::string checkParts(const json::array& parts, const std::string& path, std::string_view what) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string at = indexed(path, i);
        const auto* part = parts[i].if_object();
        if (!part)
            return quoted(at) + " must be " + std::string(what) + " object with a 'type', not " + describe(parts[i]);
        const auto* type = member(*part, "type");
        if (!type || !type->is_string())
            return quoted(at + ".type") + " is required: the kind of content, e.g. \"text\"";
    }
    return {};
}

std::string checkContent(const json::object& message, const std::string& path, bool required, std::string_view role,
                         std::string_view what, std::string_view article) {
    const auto* content = member(message, "content");
    if (!content || content->is_null()) {
        if (!required)
            return {};
        return quoted(path + ".content") + " is required for role '" + std::string(role) + "'";
    }
    if (content->is_string())
        return {};
    if (const auto* parts = content->if_array())
        return checkParts(*parts, path + ".content", article);
    return quoted(path + ".content") + " must be a string or an array of " + std::string(what) + ", not " +
           describe(*content);
}

const std::vector<std::string>& openaiRoles() {
    static const std::vector<std::string> roles{"system", "developer", "user", "assistant", "tool"};
    return roles;
}

std::string checkOpenAIToolCalls(const json::object& message, const std::string& path) {
    const auto* calls = member(message, "tool_calls");
    if (!calls || calls->is_null())
        return {};
    const auto* array = calls->if_array();
    if (!array)
        return quoted(path + ".tool_calls") + " must be an array of tool calls, not " + describe(*calls);
    for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string at = indexed(path + ".tool_calls", i);
        const auto* call = (*array)[i].if_object();
        if (!call)
            return quoted(at) + " must be an object with 'id', 'type' and 'function', not " + describe((*array)[i]);
        if (!getString(*call, "id"))
            return quoted(at + ".id") + " is required: the id that the tool message answering it repeats";
        const auto* function = getObject(*call, "function");
        if (!function)
            return quoted(at + ".function") + " is required: an object with 'name' and 'arguments'";
        if (!getString(*function, "name"))
            return quoted(at + ".function.name") + " is required";
        const auto* arguments = member(*function, "arguments");
        if (arguments && !arguments->is_string())
            return quoted(at + ".function.arguments") + " must be a string holding JSON, not " + describe(*arguments) +
                   " (serialise the arguments object)";
    }
    return {};
}

std::string checkOpenAIMessage(const json::value& value, std::size_t i) {
    const std::string path = indexed("messages", i);
    const auto* message = value.if_object();
    if (!message)
        return quoted(path) + " must be an object with 'role' and 'content', not " + describe(value);
    const auto* role = member(*message, "role");
    if (!role || role->is_null())
        return quoted(path + ".role") + " is required: one of " + join(openaiRoles());
    if (!role->is_string())
        return quoted(path + ".role") + " must be a string, not " + describe(*role);
    const std::string_view r = view(role->get_string());
    if (r == "system" || r == "developer" || r == "user")
        return checkContent(*message, path, true, r, "content parts", "a content part");
    if (r == "assistant") {
        if (auto e = checkContent(*message, path, false, r, "content parts", "a content part"); !e.empty())
            return e;
        return checkOpenAIToolCalls(*message, path);
    }
    if (r == "tool") {
        if (!getString(*message, "tool_call_id"))
            return quoted(path + ".tool_call_id") +
                   " is required for role 'tool': the id of the assistant's tool call this message answers";
        return checkContent(*message, path, true, r, "content parts", "a content part");
    }
    if (r == "function")
        return quoted(path + ".role") + " is 'function', the deprecated function-calling API: use role 'tool' " +
               "with 'tool_call_id' instead";
    return quoted(path + ".role") + " has unknown role '" + std::string(r) + "'" + suggest(r, openaiRoles());
}

std::string checkAnthropicMessage(const json::value& value, std::size_t i) {
    static const std::vector<std::string> roles{"user", "assistant"};
    const std::string path = indexed("messages", i);
    const auto* message = value.if_object();
    if (!message)
        return quoted(path) + " must be an object with 'role' and 'content', not " + describe(value);
    const auto* role = member(*message, "role");
    if (!role || role->is_null())
        return quoted(path + ".role") + " is required: 'user' or 'assistant'";
    if (!role->is_string())
        return quoted(path + ".role") + " must be a string, not " + describe(*role);
    const std::string_view r = view(role->get_string());
    if (r == "system" || r == "developer")
        return quoted(path + ".role") + " is '" + std::string(r) +
               "', which the Messages API does not accept: put system instructions in the top-level 'system' field";
    if (r != "user" && r != "assistant")
        return quoted(path + ".role") + " has unknown role '" + std::string(r) + "'" + suggest(r, roles);
    return checkContent(*message, path, true, r, "content blocks", "a content block");
}

std::string checkMessages(Format format, const json::object& body) {
    const auto* messages = member(body, "messages");
    if (!messages || messages->is_null())
        return format == Format::OpenAI
                   ? "'messages' is required: send the conversation as an array, e.g. \"messages\": [{\"role\": "
                     "\"user\", \"content\": \"Hello\"}]"
                   : "'messages' is required: send the conversation as an array, e.g. \"messages\": [{\"role\": "
                     "\"user\", \"content\": \"Hello\"}]; system instructions go in 'system'";
    const auto* array = messages->if_array();
    if (!array)
        return "'messages' must be an array of messages, not " + describe(*messages);
    if (array->empty())
        return "'messages' must contain at least one message";
    for (std::size_t i = 0; i < array->size(); ++i) {
        auto e = format == Format::OpenAI ? checkOpenAIMessage((*array)[i], i) : checkAnthropicMessage((*array)[i], i);
        if (!e.empty())
            return e;
    }
    return {};
}

std::string checkTools(Format format, const json::object& body) {
    const auto* tools = member(body, "tools");
    if (!tools || tools->is_null())
        return {};
    const auto* array = tools->if_array();
    if (!array)
        return "'tools' must be an array of tools, not " + describe(*tools);
    for (std::size_t i = 0; i < array->size(); ++i) {
        const std::string at = indexed("tools", i);
        const auto* tool = (*array)[i].if_object();
        if (!tool)
            return quoted(at) + " must be an object, not " + describe((*array)[i]);
        if (format == Format::OpenAI) {
            const auto type = getString(*tool, "type");
            if (!type)
                return quoted(at + ".type") + " is required: \"function\" for a function tool";
            if (*type != "function")
                continue;
            const auto* function = getObject(*tool, "function");
            if (!function)
                return quoted(at + ".function") + " is required: an object with 'name', 'description' and " +
                       "'parameters'";
            if (!getString(*function, "name"))
                return quoted(at + ".function.name") + " is required";
        } else if (!getString(*tool, "name")) {
            return quoted(at + ".name") + " is required";
        }
    }
    return {};
}

std::string checkAnthropicSystem(const json::object& body) {
    const auto* system = member(body, "system");
    if (!system || system->is_null() || system->is_string())
        return {};
    const auto* blocks = system->if_array();
    if (!blocks)
        return "'system' must be a string or an array of text blocks, not " + describe(*system);
    for (std::size_t i = 0; i < blocks->size(); ++i) {
        const auto* block = (*blocks)[i].if_object();
        if (!block || stringOr(*block, "type") != "text" || !getString(*block, "text"))
            return quoted(indexed("system", i)) + " must be a text block, {\"type\": \"text\", \"text\": \"...\"}";
    }
    return {};
}

std::string validate(Format format, const json::object& body) {
    std::string e = checkModel(format, body);
    if (e.empty())
        e = checkMessages(format, body);
    if (e.empty() && format == Format::Anthropic) {
        const auto* maxTokens = member(body, "max_tokens");
        if (!maxTokens || maxTokens->is_null())
            e = "'max_tokens' is required by the Anthropic Messages API: set the most tokens the model may generate, "
                "e.g. \"max_tokens\": 4096";
    }
    if (e.empty())
        e = checkPositiveInt(body, "max_tokens");
    if (e.empty() && format == Format::OpenAI)
        e = checkPositiveInt(body, "max_completion_tokens");
    if (e.empty())
        e = checkStream(body);
    if (e.empty())
        e = checkTools(format, body);
    if (e.empty() && format == Format::Anthropic)
        e = checkAnthropicSystem(body);
    return e;
}

// Estimation walk (see the header): bytes of strings and keys, images counted apart.
struct Tally {
    std::int64_t bytes = 0;
    std::int64_t images = 0;
};

bool isImage(const json::object& o) {
    const std::string_view type = stringOr(o, "type");
    return type == "image_url" || type == "image" || type == "input_image";
}

void tally(const json::value& v, Tally& t) {
    switch (v.kind()) {
    case json::kind::string:
        t.bytes += static_cast<std::int64_t>(v.get_string().size());
        break;
    case json::kind::array:
        for (const auto& e : v.get_array())
            tally(e, t);
        break;
    case json::kind::object:
        if (isImage(v.get_object())) {
            ++t.images;
            break;
        }
        for (const auto& [key, value] : v.get_object()) {
            t.bytes += static_cast<std::int64_t>(key.size());
            tally(value, t);
        }
        break;
    default:
        t.bytes += 1; // numbers, booleans, null: a token at most
        break;
    }
}

} // namespace

Result<json::object> parseRequestBody(std::string_view body, json::storage_ptr storage) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return Result<json::object>::failure("the request body is empty: send the request as a JSON object");
    json::stream_parser parser;
    parser.reset(std::move(storage));
    boost::system::error_code ec;
    const std::size_t consumed = parser.write(body.data(), body.size(), ec);
    if (!ec)
        parser.finish(ec);
    if (ec)
        return Result<json::object>::failure("the request body is not valid JSON: " + ec.message() + " at byte " +
                                             std::to_string(consumed));
    json::value v = parser.release();
    if (!v.is_object())
        return Result<json::object>::failure("the request body must be a JSON object, not " + describe(v));
    return std::move(v.get_object());
}

std::int64_t estimateInputTokens(Format format, const json::object& body) {
    Tally t;
    std::int64_t messages = 0;
    for (const char* key : {"system", "messages", "tools", "functions"}) {
        if (const auto* v = member(body, key))
            tally(*v, t);
    }
    if (const auto* array = getArray(body, "messages"))
        messages = static_cast<std::int64_t>(array->size());
    if (format == Format::Anthropic && member(body, "system"))
        ++messages;
    constexpr std::int64_t kPerMessage = 4;
    constexpr std::int64_t kPerImage = 2000;
    return (t.bytes + 1) / 2 + kPerMessage * messages + kPerImage * t.images;
}

Result<RequestSummary> summarizeRequest(Format format, const json::object& body) {
    if (auto e = validate(format, body); !e.empty())
        return Result<RequestSummary>::failure(std::move(e));
    RequestSummary s;
    s.model = std::string(view(body.at("model").get_string()));
    s.stream = getBool(body, "stream").value_or(false);
    if (format == Format::OpenAI) {
        s.maxOutputTokens = getInt(body, "max_completion_tokens");
        if (!s.maxOutputTokens)
            s.maxOutputTokens = getInt(body, "max_tokens");
    } else {
        s.maxOutputTokens = getInt(body, "max_tokens");
    }
    const auto* tools = getArray(body, "tools");
    s.hasTools = tools && !tools->empty();
    s.estimatedInputTokens = estimateInputTokens(format, body);
    return s;
}

} // namespace gh::wire
