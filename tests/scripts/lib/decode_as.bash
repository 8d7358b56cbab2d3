# Sourced by tests that compare with tshark on captures of random loopback ports.
# tshark picks a TCP or UDP payload's dissector by port before any heuristic: a client
# port the kernel happens to choose that another protocol registered (48898 is
# Beckhoff's AMS, for one) makes tshark decode the connection as that protocol, and
# its TLS alerts vanish (about one connection in 1,500 here).  decode_as FILE L4 PROTO
# prints the "-d L4.port==P,PROTO" arguments for every L4 (tcp or udp) port of FILE,
# to be word-split into tshark's command line: $(decode_as f.pcap tcp tls).
decode_as() {
	tshark -r "$1" -T fields -e "$2.srcport" -e "$2.dstport" 2>/dev/null |
		tr '\t' '\n' | grep -E '^[0-9]+$' | sort -un |
		sed "s/.*/-d $2.port==&,$3/"
}
