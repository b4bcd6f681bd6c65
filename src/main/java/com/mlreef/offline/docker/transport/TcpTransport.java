package com.mlreef.offline.docker.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** HTTP/1.1 over TCP, plain or TLS (client certificate and CA as the docker CLI reads them). */
public final class TcpTransport implements HttpTransport {
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private final String host;
    private final int port;
    private final SSLSocketFactory tls;

    /** @param tls null for plain TCP */
    public TcpTransport(String host, int port, SSLSocketFactory tls) {
        this.host = host;
        this.port = port;
        this.tls = tls;
    }

    @Override
    public String address() {
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public HttpResponse exchange(HttpRequest request) throws IOException {
        Socket socket = connect();
        try {
            return Http1Exchange.run(request, hostHeader(), socket.getInputStream(), socket.getOutputStream(), socket);
        } catch (SSLException | Http1Exchange.SocketWriteException | java.net.SocketException e) {
            if (tls == null) {
                throw e;
            }
            // with TLS 1.3 the server rejects a client certificate after the handshake: on the first read or write
            throw new ConnectException("TLS connection to " + address() + " refused: " + e.getMessage()
                    + "; check DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem)", e);
        }
    }

    private String hostHeader() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private Socket connect() throws ConnectException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
        } catch (UnknownHostException e) {
            Http1Exchange.closeQuietly(socket);
            throw new ConnectException("unknown host " + host, e);
        } catch (IOException e) {
            Http1Exchange.closeQuietly(socket);
            throw new ConnectException("cannot connect to " + address() + ": " + e.getMessage()
                    + "; is the Docker Engine listening there?", e);
        }
        if (tls == null) {
            return socket;
        }
        try {
            SSLSocket ssl = (SSLSocket) tls.createSocket(socket, host, port, true);
            var params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(params);
            ssl.startHandshake();
            return ssl;
        } catch (SSLException e) {
            Http1Exchange.closeQuietly(socket);
            throw new ConnectException("TLS handshake with " + address() + " failed: " + e.getMessage()
                    + "; check DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem)", e);
        } catch (IOException e) {
            Http1Exchange.closeQuietly(socket);
            throw new ConnectException("TLS connection to " + address() + " failed: " + e.getMessage(), e);
        }
    }
}
