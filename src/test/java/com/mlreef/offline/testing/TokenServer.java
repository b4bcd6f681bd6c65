package com.mlreef.offline.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A registry token endpoint (the distribution spec's token flow): on 127.0.0.1, it gives {@link TestRegistry#USER}
 * a JWT (RS256, its self-signed certificate in {@code x5c}) for the scope asked; anyone else gets 401. Each token
 * lives {@code lifetime} seconds; the scopes asked are recorded.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "mlro-test-registry";
    public static final String ISSUER = "mlro-test-tokens";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Path certificate;
    private final PrivateKey key;
    private final String x5c;
    private final int lifetime;
    private final List<String> scopes = new CopyOnWriteArrayList<>();

    private TokenServer(Path dir, int lifetime) throws Exception {
        Files.createDirectories(dir);
        certificate = dir.resolve("token.crt");
        Path keyFile = dir.resolve("token.key");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                keyFile.toString(), "-out", certificate.toString(), "-days", "2", "-subj", "/CN=" + ISSUER)
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl: " + said);
        }
        String pem = Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        try (InputStream in = Files.newInputStream(certificate)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            x5c = Base64.getEncoder().encodeToString(cert.getEncoded());
        }
        this.lifetime = lifetime;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::token);
        server.start();
    }

    /** @param lifetime seconds each token lives */
    public static TokenServer start(Path dir, int lifetime) throws Exception {
        return new TokenServer(dir, lifetime);
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The certificate the registry checks the tokens' signatures with. */
    public Path certificate() {
        return certificate;
    }

    /** The scopes asked so far, one per token given. */
    public List<String> scopes() {
        return List.copyOf(scopes);
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            String expected = "Basic " + Base64.getEncoder().encodeToString((TestRegistry.USER + ":"
                    + TestRegistry.PASSWORD).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String scope = query(exchange.getRequestURI().getRawQuery()).getOrDefault("scope", "");
            scopes.add(scope);
            byte[] body = JSON.writeValueAsBytes(Map.of("token", jwt(scope), "expires_in", lifetime));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private String jwt(String scope) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(x5c);
        ObjectNode claims = JSON.createObjectNode().put("iss", ISSUER).put("sub", TestRegistry.USER)
                .put("aud", SERVICE).put("exp", now + lifetime).put("nbf", now - 10).put("iat", now)
                .put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        String[] parts = scope.split(":");
        if (parts.length == 3) {
            ObjectNode grant = access.addObject().put("type", parts[0]).put("name", parts[1]);
            ArrayNode actions = grant.putArray("actions");
            for (String action : parts[2].split(",")) {
                actions.add(action);
            }
        }
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String signed = url.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + url.encodeToString(JSON.writeValueAsBytes(claims));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + url.encodeToString(rs256.sign());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new java.util.HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
