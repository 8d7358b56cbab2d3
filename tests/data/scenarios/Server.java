// Server.java: the Java (JSSE) server of the scenario captures (make.sh), run as
// `java -Djavax.net.ssl.keyStore=KS ... Server.java PORT [need] [TLSv1.x,..] [SUITE,..]`:
// one TLS connection on 127.0.0.1:PORT; "need" requires a client certificate, an argument
// starting "TLS" sets the enabled versions (TLSv1.2,TLSv1.3), any other the enabled cipher
// suites (standard names).  Errors go to stderr as Java words them.  Not run by the tests.
import java.net.InetAddress;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSocket;

public class Server {
	public static void main(String[] args) throws Exception {
		SSLServerSocketFactory f = (SSLServerSocketFactory) SSLServerSocketFactory.getDefault();
		InetAddress lo = InetAddress.getByName("127.0.0.1");
		try (SSLServerSocket ls = (SSLServerSocket) f.createServerSocket(Integer.parseInt(args[0]), 1, lo)) {
			for (int i = 1; i < args.length; i++) {
				if (args[i].equals("need"))
					ls.setNeedClientAuth(true);
				else if (args[i].startsWith("TLSv"))
					ls.setEnabledProtocols(args[i].split(","));
				else
					ls.setEnabledCipherSuites(args[i].split(","));
			}
			ls.setSoTimeout(15000);
			try (SSLSocket s = (SSLSocket) ls.accept()) {
				s.setSoTimeout(5000);
				s.startHandshake();
				System.err.println("server: handshake done " + s.getSession().getProtocol());
				s.getInputStream().read();
			} catch (Exception e) {
				System.err.println("server: " + e);
			}
		}
	}
}
