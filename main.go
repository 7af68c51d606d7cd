// Command vanthu signs, verifies and exchanges official documents.
//
// Without arguments it opens the desktop application; with a command
// (vanthu version, vanthu token …, vanthu sign …) it runs the CLI.
package main

import (
	"os"

	"github.com/vanthu/vanthu/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:]))
}
