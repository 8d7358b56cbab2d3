// A Java 17 TLS client or server for make.sh, with the default SSLContext settings:
//   java J client PORT [PROTOCOL [strict [alpn]]]   connect to localhost:PORT (trusts any
//                                                   certificate unless "strict"; "alpn" adds
//                                                   SNI example.test and ALPN h2,http/1.1)
//   java J server PORT [TLSv1.2 [N]]                accept N connections (ks.p12, pass "pass")
import java.io.FileInputStream;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.*;

public class J {
    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[1]);
        if (a[0].equals("client")) {
            TrustManager[] any = {new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] c, String s) {}
                public void checkServerTrusted(X509Certificate[] c, String s) {}
                public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
            }};
            SSLContext ctx = SSLContext.getInstance(a.length > 2 ? a[2] : "TLS");
            ctx.init(null, a.length > 3 && a[3].equals("strict") ? null : any, null);
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", port);
            if (a.length > 4) {
                SSLParameters p = s.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName("example.test")));
                p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
                s.setSSLParameters(p);
            }
            try {
                s.startHandshake();
                s.getOutputStream().write("hi\n".getBytes());
                s.close();
            } catch (Exception e) {
                System.out.println(e);
            }
        } else {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new FileInputStream("ks.p12"), "pass".toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(ks, "pass".toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            SSLServerSocket ss =
                (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(port);
            if (a.length > 2)
                ss.setEnabledProtocols(new String[] {a[2]});
            int n = a.length > 3 ? Integer.parseInt(a[3]) : 1;
            for (int i = 0; i < n; i++) {
                SSLSocket s = (SSLSocket) ss.accept();
                try {
                    s.startHandshake();
                    s.getOutputStream().write("hello\n".getBytes());
                    s.close();
                } catch (Exception e) {
                    System.out.println(e);
                }
            }
        }
    }
}
