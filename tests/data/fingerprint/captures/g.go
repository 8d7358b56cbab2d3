// A Go crypto/tls client or server for make.sh, default settings:
//   g client PORT [strict]   connect to localhost:PORT (skips verification unless "strict")
//   g server PORT [12]       accept one connection (cert.pem/key.pem); "12": TLS 1.2 at most
package main

import (
	"crypto/tls"
	"fmt"
	"os"
)

func main() {
	if os.Args[1] == "client" {
		cfg := &tls.Config{InsecureSkipVerify: len(os.Args) < 4, ServerName: "localhost"}
		c, err := tls.Dial("tcp", "localhost:"+os.Args[2], cfg)
		if err != nil {
			fmt.Println(err)
			return
		}
		c.Write([]byte("hi\n"))
		c.Close()
		return
	}
	cert, err := tls.LoadX509KeyPair("cert.pem", "key.pem")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	if len(os.Args) > 3 {
		cfg.MaxVersion = tls.VersionTLS12
	}
	l, err := tls.Listen("tcp", "127.0.0.1:"+os.Args[2], cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := l.Accept()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.(*tls.Conn).Handshake())
	c.Write([]byte("hello\n"))
	c.Close()
}
