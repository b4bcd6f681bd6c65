package com.mlreef.offline.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.transport.HttpRequest;
import com.mlreef.offline.docker.transport.HttpResponse;
import com.mlreef.offline.docker.transport.HttpTransport;
import com.mlreef.offline.docker.transport.ProtocolException;
import com.mlreef.offline.docker.transport.RequestBody;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One call to the engine: the request on the transport, its answer read as JSON, a progress stream or a raw stream,
 * and every status that is not a success thrown as a typed exception. Calls are counted and timed.
 */
final class EngineExchange {
    private final HttpTransport transport;
    private final Supplier<String> apiVersion;
    private final ObjectMapper json = DockerJson.MAPPER;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong callNanos = new AtomicLong();

    /** Reads a successful answer's body. */
    @FunctionalInterface
    interface BodyReader<T> {
        T read(InputStream body) throws IOException;
    }

    /** @param apiVersion the version every path is prefixed with, asked for when a request is made */
    EngineExchange(HttpTransport transport, Supplier<String> apiVersion) {
        this.transport = transport;
        this.apiVersion = apiVersion;
    }

    String address() {
        return transport.address();
    }

    DockerEngine.Usage usage() {
        return new DockerEngine.Usage(calls.get(), callNanos.get());
    }

    /** A call answered with JSON of {@code type}; {@code Void} reads the answer to its end and returns null. */
    <T> T call(String call, String method, String path, Object body, Class<T> type) {
        return exchange(call, request(call, method, path, body),
                in -> type == Void.class ? discard(in) : json.readValue(in, type));
    }

    <T> T call(String call, String method, String path, Object body, TypeReference<T> type) {
        return exchange(call, request(call, method, path, body), in -> json.readValue(in, type));
    }

    /** A call answered with a JSON progress stream, each message handed to the listener as it arrives. */
    void stream(String call, HttpRequest request, ProgressListener listener) {
        exchange(call, request, in -> {
            JsonLines.read(in, json, call, listener);
            return null;
        });
    }

    /** Sends the request and reads a successful answer with {@code reader}. */
    <T> T exchange(String call, HttpRequest request, BodyReader<T> reader) {
        try (HttpResponse response = send(request)) {
            EngineErrors.check(call, response);
            return reader.read(response.body());
        } catch (IOException e) {
            throw EngineErrors.io(call, e);
        }
    }

    /** Opens a streamed answer; closing the stream closes the connection. */
    InputStream open(String call, String method, String path, Object body) {
        HttpResponse response = null;
        try {
            response = send(request(call, method, path, body));
            EngineErrors.check(call, response);
            HttpResponse owner = response;
            return new FilterInputStream(response.body()) {
                @Override
                public void close() throws IOException {
                    owner.close();
                }
            };
        } catch (IOException e) {
            closeQuietly(response);
            throw EngineErrors.io(call, e);
        } catch (RuntimeException e) {
            closeQuietly(response);
            throw e;
        }
    }

    /** A request on the negotiated API version, with {@code body} (if any) sent as JSON. */
    private HttpRequest request(String call, String method, String path, Object body) {
        RequestBody requestBody = null;
        if (body != null) {
            try {
                requestBody = RequestBody.json(json.writeValueAsString(body));
            } catch (JsonProcessingException e) {
                throw EngineErrors.io(call, e);
            }
        }
        return request(method, path, Map.of(), requestBody);
    }

    /** A request on the negotiated API version. */
    HttpRequest request(String method, String path, Map<String, String> headers, RequestBody body) {
        return new HttpRequest(method, "/v" + apiVersion.get() + path, headers, body);
    }

    /** Each call is counted, and timed from its request to the close of its answer. */
    HttpResponse send(HttpRequest request) throws IOException {
        long start = System.nanoTime();
        calls.incrementAndGet();
        try {
            HttpResponse response = transport.exchange(request);
            AtomicBoolean closed = new AtomicBoolean();
            return new HttpResponse(response.status(), response.reason(), response.headers(), response.body(), () -> {
                try {
                    response.close();
                } finally {
                    if (closed.compareAndSet(false, true)) {
                        callNanos.addAndGet(System.nanoTime() - start);
                    }
                }
            });
        } catch (HttpTransport.ConnectException e) {
            throw new EngineUnreachableException(transport.address(), e.reason(), e);
        } catch (IOException e) {
            if (e instanceof ProtocolException) {
                throw EngineErrors.notDocker(transport.address(), e.getMessage(), e);
            }
            throw e;
        }
    }

    /** Reads an answer to its end, so the engine has finished the call before it returns. */
    static <T> T discard(InputStream body) throws IOException {
        body.transferTo(OutputStream.nullOutputStream());
        return null;
    }

    private static void closeQuietly(HttpResponse response) {
        if (response != null) {
            try {
                response.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }
}
