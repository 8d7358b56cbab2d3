// Client.java: the Java (JSSE) client of the scenario captures (make.sh), run as
// `java Client.java PORT`: one TLS connection to 127.0.0.1:PORT for the name localhost,
// trusting only the JDK's own roots.  Not run by the tests.
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.util.List;

public class Client {
	public static void main(String[] args) throws Exception {
		SSLSocketFactory f = (SSLSocketFactory) SSLSocketFactory.getDefault();
		try (SSLSocket s = (SSLSocket) f.createSocket("127.0.0.1", Integer.parseInt(args[0]))) {
			SSLParameters p = s.getSSLParameters();
			p.setServerNames(List.of(new SNIHostName("localhost")));
			s.setSSLParameters(p);
			s.setSoTimeout(5000);
			s.startHandshake();
			System.err.println("client: connected " + s.getSession().getProtocol());
		} catch (Exception e) {
			System.err.println("client: " + e);
		}
	}
}
