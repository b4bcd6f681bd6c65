package com.mlreef.offline.docker.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** Builds a TLS socket factory from the PEM files of a docker cert path: {@code ca.pem}, {@code cert.pem}, {@code key.pem}. */
public final class TlsFiles {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private TlsFiles() {
    }

    /**
     * @param verify true checks the engine's certificate against {@code ca.pem} (DOCKER_TLS_VERIFY); false accepts any
     *               server certificate, as {@code docker --tls} does
     */
    public static SSLSocketFactory socketFactory(Path certPath, boolean verify) throws IOException {
        try {
            KeyManager[] keyManagers = null;
            Path cert = certPath.resolve("cert.pem");
            Path key = certPath.resolve("key.pem");
            if (Files.exists(cert) && Files.exists(key)) {
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                keyStore.load(null, null);
                char[] password = new char[0];
                List<Certificate> chain = certificates(cert);
                keyStore.setKeyEntry("client", privateKey(key), password, chain.toArray(new Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore, password);
                keyManagers = kmf.getKeyManagers();
            }
            TrustManager[] trustManagers;
            if (verify) {
                Path ca = certPath.resolve("ca.pem");
                if (!Files.exists(ca)) {
                    throw new IOException(ca + " is missing; DOCKER_TLS_VERIFY needs the engine's CA certificate");
                }
                KeyStore trustStore = KeyStore.getInstance("PKCS12");
                trustStore.load(null, null);
                int i = 0;
                for (Certificate c : certificates(ca)) {
                    trustStore.setCertificateEntry("ca" + i++, c);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trustStore);
                trustManagers = tmf.getTrustManagers();
            } else {
                trustManagers = new TrustManager[] {new AnyServerCertificate()};
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, new SecureRandom());
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the TLS files in " + certPath + ": " + e.getMessage(), e);
        }
    }

    private static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Collection<? extends Certificate> certs;
        try (var in = Files.newInputStream(file)) {
            certs = factory.generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new IOException(file + " holds no certificate");
        }
        return new ArrayList<>(certs);
    }

    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(der, file);
                case "RSA PRIVATE KEY":
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrapPkcs1(der)));
                case "EC PRIVATE KEY":
                    throw new IOException(file + " is an EC key in SEC1 form; convert it with "
                            + "'openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pem.new' and use that");
                case "ENCRYPTED PRIVATE KEY":
                    throw new IOException(file + " is encrypted; the docker cert path needs an unencrypted key");
                default:
                    // other blocks (EC PARAMETERS) are skipped
            }
        }
        throw new IOException(file + " holds no private key in PEM form");
    }

    private static PrivateKey pkcs8(byte[] der, Path file) throws IOException {
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + " holds a private key of an unsupported kind");
    }

    /** PKCS#1 RSAPrivateKey to PKCS#8 PrivateKeyInfo: SEQUENCE { 0, { rsaEncryption, NULL }, OCTET STRING } */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
                0x01, 0x01, 0x05, 0x00};
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        inner.writeBytes(new byte[] {0x02, 0x01, 0x00});
        inner.writeBytes(algorithm);
        inner.writeBytes(tlv(0x04, pkcs1));
        return tlv(0x30, inner.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int len = value.length;
        if (len < 0x80) {
            out.write(len);
        } else {
            int bytes = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(len >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    /**
     * Used only when the user chose TLS without verification (DOCKER_TLS without DOCKER_TLS_VERIFY). An extended
     * trust manager, so that the JDK does not add a host name check of its own.
     */
    private static final class AnyServerCertificate extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
