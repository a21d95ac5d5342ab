// CoreDNS as its release's main.go builds it: every plugin of core/plugin, in zdirectives.go's order.
package main

import (
	_ "github.com/coredns/coredns/core/plugin"
	"github.com/coredns/coredns/coremain"
)

func main() {
	coremain.Run()
}
