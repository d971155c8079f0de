// openapi.json against the router: every route documented, nothing documented that is not
// routed, and each operation complete enough for a client generator.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <utility>

#include "api_test_daemon.hpp"
#include "util/json.hpp"

namespace flowctl::daemon::test {
namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

class OpenApiTest : public ::testing::Test {
protected:
    void SetUp() override { doc = json::parse(openapi_json); }

    /// Every operation of the document: (method, path) -> operation.
    std::map<std::pair<std::string, std::string>, json> operations() const {
        std::map<std::pair<std::string, std::string>, json> out;
        for (const auto& [path, item] : doc["paths"].items())
            for (const auto& [method, op] : item.items()) out[{method, path}] = op;
        return out;
    }

    /// Follows "#/components/..." references; null when it dangles.
    json resolve(const std::string& ref) const {
        if (ref.rfind("#/", 0) != 0) return nullptr;
        try {
            return doc.at(json::json_pointer(ref.substr(1)));
        } catch (const json::exception&) {
            return nullptr;
        }
    }

    json doc;
    ApiTestDaemon daemon;  // register_routes needs real services; nothing is started
};

TEST_F(OpenApiTest, DocumentsExactlyTheRoutedOperations) {
    std::set<std::pair<std::string, std::string>> routed, documented;
    for (const auto& r : daemon.router.routes())
        EXPECT_TRUE(routed.insert({lower(r.method), r.path}).second) << "routed twice: " << r.method << " " << r.path;
    for (const auto& [key, _] : operations()) documented.insert(key);
    for (const auto& r : routed)
        EXPECT_TRUE(documented.count(r)) << "not in openapi.json: " << r.first << " " << r.second;
    for (const auto& d : documented)
        EXPECT_TRUE(routed.count(d)) << "documented but not routed: " << d.first << " " << d.second;
    EXPECT_EQ(routed.size(), 48u);  // the route table of daemon/API.md
}

TEST_F(OpenApiTest, EachOperationHasResponsesSecurityAndItsScope) {
    std::map<std::pair<std::string, std::string>, std::string> scopes;
    for (const auto& r : daemon.router.routes()) scopes[{lower(r.method), r.path}] = scope_name(r.scope);
    std::set<std::string> ids;
    for (const auto& [key, op] : operations()) {
        const std::string where = key.first + " " + key.second;
        ASSERT_TRUE(op.contains("responses")) << where;
        bool has_success = false;
        for (const auto& [status, response] : op["responses"].items()) {
            if (status[0] == '2') has_success = true;
            if (response.contains("$ref")) {
                EXPECT_FALSE(resolve(response["$ref"]).is_null()) << where << " " << response["$ref"];
            } else {
                EXPECT_TRUE(response.contains("description")) << where << " " << status;
            }
        }
        EXPECT_TRUE(has_success) << where;
        for (const char* status : {"401", "403", "500"}) EXPECT_TRUE(op["responses"].contains(status)) << where;
        ASSERT_TRUE(op.contains("security")) << where;
        EXPECT_FALSE(op["security"].empty()) << where;
        EXPECT_EQ(op.value("x-required-scope", ""), scopes[key]) << where;
        ASSERT_TRUE(op.contains("operationId")) << where;
        EXPECT_TRUE(ids.insert(op["operationId"].get<std::string>()).second) << "duplicate operationId at " << where;
    }
}

TEST_F(OpenApiTest, PathParametersAreDeclared) {
    const std::regex param(R"(\{([a-z_]+)\})");
    for (const auto& [key, op] : operations()) {
        const std::string& path = key.second;
        for (auto it = std::sregex_iterator(path.begin(), path.end(), param); it != std::sregex_iterator(); ++it) {
            const std::string name = (*it)[1];
            bool declared = false;
            for (const auto& p : op.value("parameters", json::array()))
                if (p["in"] == "path" && p["name"] == name && p["required"] == true) declared = true;
            EXPECT_TRUE(declared) << key.first << " " << path << ": {" << name << "}";
        }
    }
}

TEST_F(OpenApiTest, RequestBodiesRejectUnknownFields) {
    int bodies = 0;
    for (const auto& [key, op] : operations()) {
        // Webhooks take any body as it comes (*/*); the API's own bodies are JSON objects.
        if (!op.contains("requestBody") || !op["requestBody"]["content"].contains("application/json")) continue;
        ++bodies;
        const json& schema = op["requestBody"]["content"]["application/json"]["schema"];
        EXPECT_EQ(schema["type"], "object") << key.second;
        EXPECT_EQ(schema["additionalProperties"], false) << key.second;
    }
    EXPECT_EQ(bodies, 13);
}

TEST_F(OpenApiTest, ReferencesResolveAndTheErrorShapeIsDescribed) {
    std::vector<std::string> refs;
    std::function<void(const json&)> collect = [&](const json& j) {
        if (j.is_object()) {
            if (j.contains("$ref") && j["$ref"].is_string()) refs.push_back(j["$ref"]);
            for (const auto& [_, v] : j.items()) collect(v);
        } else if (j.is_array()) {
            for (const auto& v : j) collect(v);
        }
    };
    collect(doc);
    EXPECT_GT(refs.size(), 50u);
    for (const auto& r : refs) EXPECT_FALSE(resolve(r).is_null()) << r;

    const json& error = doc["components"]["schemas"]["Error"];
    EXPECT_EQ(error["required"], json({"error", "request_id"}));
    EXPECT_EQ(error["properties"]["error"]["required"], json({"code", "message", "details"}));
    for (const auto& [name, response] : doc["components"]["responses"].items())
        EXPECT_EQ(response["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Error") << name;
}

TEST_F(OpenApiTest, SecuritySchemesAreBearerAndApiKey) {
    EXPECT_EQ(doc["openapi"], "3.0.3");
    const json& schemes = doc["components"]["securitySchemes"];
    EXPECT_EQ(schemes["bearerAuth"]["type"], "http");
    EXPECT_EQ(schemes["bearerAuth"]["scheme"], "bearer");
    EXPECT_EQ(schemes["apiKeyAuth"]["type"], "apiKey");
    EXPECT_EQ(schemes["apiKeyAuth"]["in"], "header");
    EXPECT_EQ(schemes["apiKeyAuth"]["name"], "X-API-Key");
    for (const auto& [key, op] : operations())
        for (const auto& requirement : op["security"])
            for (const auto& [scheme, _] : requirement.items())
                EXPECT_TRUE(schemes.contains(scheme)) << key.second << ": " << scheme;
}

}  // namespace
}  // namespace flowctl::daemon::test
