package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is the version of the CLI. Release builds set it with
// -ldflags "-X github.com/gitpaas/paas/cli.Version=v1.2.3".
var Version = "dev"

// cliVersion is Version, or the module version when the binary was built
// with go install module@version.
func cliVersion() string {
	if Version != "dev" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return Version
}

// userAgent is sent with every API request.
func userAgent() string { return "paas-cli/" + cliVersion() }

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show the version of the CLI",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(e.stdout, "%s %s %s/%s\n", userAgent(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
