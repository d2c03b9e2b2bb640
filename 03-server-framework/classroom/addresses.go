package classroom

import (
	"log"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// sayListening tells the teacher where the server listens. A server
// on every interface (0.0.0.0 or [::]) listens at no address a
// student could type, so it names this machine's addresses instead.
func sayListening(say *log.Logger, addr net.Addr) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		say.Printf("listening on %s; Ctrl-C stops", addr)
		return
	}
	port := strconv.Itoa(tcp.Port)
	say.Printf("listening on every interface, port %s; Ctrl-C stops", port)
	interfaces, err := net.InterfaceAddrs()
	var students []string
	if err == nil {
		students = studentAddresses(interfaces, port)
	}
	if len(students) == 0 {
		say.Printf("students type this machine's address with port %s "+
			"(no network address found here)", port)
	} else {
		say.Printf("students type %s", strings.Join(students, " or "))
	}
	say.Printf("on this machine: 127.0.0.1:%s", port)
}

// studentAddresses are the host:port pairs other machines can reach
// this one at: its IPv4 addresses, then its global IPv6 ones. Loopback
// and link-local addresses are left out: they do not leave the
// machine, or need a zone no student knows.
func studentAddresses(interfaces []net.Addr, port string) []string {
	var v4, v6 []string
	for _, addr := range interfaces {
		prefix, err := netip.ParsePrefix(addr.String())
		if err != nil {
			continue
		}
		ip := prefix.Addr().Unmap()
		switch {
		case ip.IsLoopback(), ip.IsLinkLocalUnicast(), ip.IsUnspecified(), ip.IsMulticast():
		case ip.Is4():
			v4 = append(v4, ip.String()+":"+port)
		default:
			v6 = append(v6, "["+ip.String()+"]:"+port)
		}
	}
	return append(v4, v6...)
}
