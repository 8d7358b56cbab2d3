// A quic-go peer for the QUIC tests (tests/scripts/quic_quicgo.sh): the server
// or the client of one QUIC connection on loopback, with quic-go 0.29 (Debian
// golang-github-lucas-clemente-quic-go-dev, built in GOPATH mode).  It prints
// one line, the error quic-go gave for the connection's end, exactly as
// quic-go words it ("CRYPTO_ERROR (0x178): tls: no application protocol"), or
// "established" when nothing closed it, and exits: 0 established, 1 closed
// with an error, 2 usage or the -timeout reached.
//
//	quic_peer -role server|client -addr HOST:PORT [-alpn P,Q] [-cert F -key F]
//	          [-ca F] [-verify=false] [-require-cert] [-curves P256,X25519]
//	          [-keylog F] [-sni NAME] [-linger D] [-timeout D]
//
// server: serves -cert/-key, accepts one connection (-require-cert: a client
// certificate is required, verified against -ca when given) and prints how it
// ended.  client: dials once, verifying the server against -ca (the system
// roots without it; -verify=false: not at all), sends -cert/-key when given;
// once the handshake completes it waits -linger for the server to close, then
// closes with application error 0.  quic-go returns from Dial when the client
// has sent its Finished, so a close the server sends after that (a client
// certificate it required) comes from the connection, not from Dial.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	quic "github.com/lucas-clemente/quic-go"
	"github.com/lucas-clemente/quic-go/logging"
)

// closeTracer hands the first error a connection closed with to closed: the
// server learns about a handshake that failed only this way (Accept returns
// complete connections).
type closeTracer struct {
	logging.NullTracer
	closed chan error
}

type connCloseTracer struct {
	logging.NullConnectionTracer
	once   *sync.Once
	closed chan error
}

func (t closeTracer) TracerForConnection(context.Context, logging.Perspective,
	logging.ConnectionID) logging.ConnectionTracer {
	return connCloseTracer{once: &sync.Once{}, closed: t.closed}
}

func (t connCloseTracer) ClosedConnection(err error) {
	t.once.Do(func() {
		select {
		case t.closed <- err:
		default:
		}
	})
}

var curveNames = map[string]tls.CurveID{
	"P256": tls.CurveP256, "P384": tls.CurveP384, "P521": tls.CurveP521, "X25519": tls.X25519,
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "quic_peer: "+format+"\n", a...)
	os.Exit(2)
}

func main() {
	role := flag.String("role", "", "server or client")
	addr := flag.String("addr", "", "HOST:PORT to listen on or dial")
	alpn := flag.String("alpn", "h3", "ALPN protocols, comma-separated (empty: none)")
	certf := flag.String("cert", "", "certificate (PEM): the server's, or the client's to send")
	keyf := flag.String("key", "", "its key (PEM)")
	caf := flag.String("ca", "", "trust anchors (PEM) for the peer's certificate")
	verify := flag.Bool("verify", true, "client: verify the server's certificate")
	reqCert := flag.Bool("require-cert", false, "server: require a client certificate")
	curves := flag.String("curves", "", "key exchange groups, in order (P256,P384,P521,X25519)")
	keylog := flag.String("keylog", "", "write the TLS secrets here (SSLKEYLOGFILE format)")
	sni := flag.String("sni", "localhost", "client: server name sent")
	linger := flag.Duration("linger", 500*time.Millisecond, "client: wait this long for a close after the handshake")
	timeout := flag.Duration("timeout", 4*time.Second, "the whole run ends after this")
	flag.Parse()
	if *addr == "" || (*role != "server" && *role != "client") || flag.NArg() != 0 {
		fail("usage: quic_peer -role server|client -addr HOST:PORT [options]")
	}
	// whatever happens, the run ends
	time.AfterFunc(*timeout, func() {
		fmt.Println("timeout")
		os.Exit(2)
	})

	conf := &tls.Config{ServerName: *sni, InsecureSkipVerify: !*verify}
	if *alpn != "" {
		conf.NextProtos = strings.Split(*alpn, ",")
	}
	if *certf != "" {
		c, err := tls.LoadX509KeyPair(*certf, *keyf)
		if err != nil {
			fail("%v", err)
		}
		conf.Certificates = []tls.Certificate{c}
	}
	if *caf != "" {
		pem, err := os.ReadFile(*caf)
		if err != nil {
			fail("%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fail("%s: no certificate", *caf)
		}
		conf.RootCAs, conf.ClientCAs = pool, pool
	}
	if *reqCert {
		conf.ClientAuth = tls.RequireAnyClientCert
		if *caf != "" {
			conf.ClientAuth = tls.RequireAndVerifyClientCert
		}
	}
	for _, name := range strings.Split(*curves, ",") {
		if name == "" {
			continue
		}
		id, ok := curveNames[name]
		if !ok {
			fail("unknown curve %q", name)
		}
		conf.CurvePreferences = append(conf.CurvePreferences, id)
	}
	if *keylog != "" {
		f, err := os.OpenFile(*keylog, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			fail("%v", err)
		}
		defer f.Close()
		conf.KeyLogWriter = f
	}
	tracer := closeTracer{closed: make(chan error, 1)}
	qconf := &quic.Config{
		Tracer:               tracer,
		HandshakeIdleTimeout: *timeout,
		MaxIdleTimeout:       *timeout,
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	var err error
	if *role == "server" {
		err = serve(ctx, *addr, conf, qconf, tracer.closed)
	} else {
		err = dial(ctx, *addr, conf, qconf, tracer.closed, *linger)
	}
	// quic-go sends its CONNECTION_CLOSE from the connection's own goroutine:
	// give it time to leave before the process ends
	time.Sleep(200 * time.Millisecond)
	if err == nil {
		fmt.Println("established")
		return
	}
	fmt.Println(strings.ReplaceAll(err.Error(), "\n", " "))
	os.Exit(1)
}

// serve accepts one connection and returns the error it closed with.
func serve(ctx context.Context, addr string, conf *tls.Config, qconf *quic.Config,
	closed chan error) error {
	ln, err := quic.ListenAddr(addr, conf, qconf)
	if err != nil {
		fail("%v", err)
	}
	defer ln.Close()
	// "listening" on stderr: the script starts the client once it is there
	fmt.Fprintln(os.Stderr, "listening on", ln.Addr())
	go func() {
		conn, err := ln.Accept(ctx)
		if err != nil {
			return
		}
		// the client's close (or the timeout) ends AcceptStream; the tracer reports it
		_, _ = conn.AcceptStream(ctx)
	}()
	select {
	case err := <-closed:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dial makes one connection and returns the error it ended with, nil when it
// was still open after linger.
func dial(ctx context.Context, addr string, conf *tls.Config, qconf *quic.Config,
	closed chan error, linger time.Duration) error {
	conn, err := quic.DialAddrContext(ctx, addr, conf, qconf)
	if err != nil {
		return err
	}
	select {
	case err := <-closed:
		return err
	case <-time.After(linger):
	}
	_ = conn.CloseWithError(0, "")
	return nil
}
