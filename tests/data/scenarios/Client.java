// Client.java: the Java (JSSE) client of the scenario captures (make.sh), run as
// `java Client.java PORT [NAME]`: one TLS connection to 127.0.0.1:PORT for the name
// localhost, trusting only the JDK's own roots (or the trust store of
// -Djavax.net.ssl.trustStore).  With NAME, the connection is for NAME and the server's
// certificate must match it (endpoint identification "HTTPS").  Not run by the tests.
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.net.Socket;
import java.util.List;

public class Client {
	public static void main(String[] args) throws Exception {
		SSLSocketFactory f = (SSLSocketFactory) SSLSocketFactory.getDefault();
		String name = args.length > 1 ? args[1] : "localhost";
		Socket tcp = new Socket("127.0.0.1", Integer.parseInt(args[0]));
		// layered on a connected socket, the TLS socket's peer is NAME, the name checked
		try (SSLSocket s = (SSLSocket) f.createSocket(tcp, name, tcp.getPort(), true)) {
			SSLParameters p = s.getSSLParameters();
			p.setServerNames(List.of(new SNIHostName(name)));
			if (args.length > 1)
				p.setEndpointIdentificationAlgorithm("HTTPS");
			s.setSSLParameters(p);
			s.setSoTimeout(5000);
			s.startHandshake();
			System.err.println("client: connected " + s.getSession().getProtocol());
		} catch (Exception e) {
			System.err.println("client: " + e);
		}
	}
}
