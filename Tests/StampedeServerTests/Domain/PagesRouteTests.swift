import StampedeAuth
import StampedeContract
import StampedeJSON
import Foundation
import Testing

@testable import StampedeServer

extension ServerSuites {
    /// `/` and `/assets/…`: the task-cards page and its files, served by the domain's route table.
    @Suite(.serialized) final class PagesRouteTests {
        func get(_ h: DomainHarness, _ path: String) async -> APIResponse {
            await h.hub.handle(APIRequest(method: "GET", path: path, query: [:], headers: [:], body: []))
        }

        func header(_ r: APIResponse, _ name: String) -> String? { r.headers.first { $0.0.lowercased() == name.lowercased() }?.1 }

        @Test func testThePageCarriesADevTokenOnlyUnderTheDefaultSecret() async throws {
            let dev = try DomainHarness { $0.jwtSecret = "dev-secret" }
            let page = await get(dev, "/")
            #expect(page.status == 200)
            #expect(header(page, "Content-Type") == "text/html; charset=utf-8")
            #expect(header(page, "Cache-Control") == "no-store", "the token must not be cached")
            let html = String(decoding: page.body, as: UTF8.self)
            let token = try #require(html.firstMatch(of: /name="stampede-dev-token" content="([^"]+)"/)?.1)
            let verifier = try TokenVerifier(TokenVerifierConfiguration(secret: "dev-secret"))
            let principal = try await verifier.verify(String(token)).get()
            #expect(principal == Principal(userID: "dev", role: .user))

            let other = try DomainHarness()  // test-secret
            let plain = String(decoding: await get(other, "/").body, as: UTF8.self)
            #expect(plain.contains(#"name="stampede-dev-token" content="""#), "no token without the default secret")
        }

        @Test func testThePageTellsItsClientTheEnginePath() async throws {
            let h = try DomainHarness { $0.enginePath = "/live/" }
            let html = String(decoding: await get(h, "/").body, as: UTF8.self)
            #expect(html.contains(#"<meta name="stampede-engine-path" content="/live/">"#), "\(html)")
        }

        @Test func testEveryFileThePagesReferenceIsServed() async throws {
            let h = try DomainHarness()
            let html = String(decoding: await get(h, "/").body, as: UTF8.self)
            var referenced = html.matches(of: /(?:src|href)="\/assets\/([^"]+)"/).map { String($0.1) }
            // And the modules they import, relative to their own folder.
            var seen = Set<String>()
            while let path = referenced.popLast() {
                guard seen.insert(path).inserted else { continue }
                let r = await get(h, "/assets/" + path)
                #expect(r.status == 200, "\(path)")
                #expect(header(r, "X-Content-Type-Options") == "nosniff")
                guard path.hasSuffix(".js") else { continue }
                #expect(header(r, "Content-Type") == "text/javascript; charset=utf-8", "\(path)")
                let folder = path.split(separator: "/").dropLast().map(String.init)
                for m in String(decoding: r.body, as: UTF8.self).matches(of: /from "([^"]+)"/) {
                    var resolved = folder
                    for part in m.1.split(separator: "/") {
                        if part == ".." { resolved.removeLast() } else if part != "." { resolved.append(String(part)) }
                    }
                    referenced.append(resolved.joined(separator: "/"))
                }
            }
            #expect(seen.contains("client/socketio-client.js"), "\(seen)")
            #expect(seen.contains("client/engine-transports.js"), "\(seen)")
        }

        @Test func testOnlyFilesOfThePagesAreReachable() async throws {
            let h = try DomainHarness()
            for path in ["/assets/../Package.swift", "/assets/cards/../../PageAssets.swift", "/assets/nope.js", "/assets/cards/"] {
                let r = await get(h, path)
                #expect(r.status == 404, "\(path)")
            }
            let post = await h.hub.handle(APIRequest(method: "POST", path: "/", query: [:], headers: [:], body: []))
            #expect(post.status == 404, "wrong method")
        }
    }
}
