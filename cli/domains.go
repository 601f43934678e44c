package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
)

func newDomainsCmd(e *env) *cobra.Command {
	var f appFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "domains",
		Short: "List the custom domains of an app",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, c, err := f.resolveWithClient(cmd.Context(), e)
			if err != nil {
				return err
			}
			ds, err := c.Domains().List(cmd.Context(), app)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, ds)
			}
			if len(ds) == 0 {
				fmt.Fprintf(e.stdout, "%s has no custom domains; add one with: paas domains:add HOSTNAME -a %s\n", app, app)
				return nil
			}
			t := newTable(e.stdout, "HOSTNAME", "CERTIFICATE", "EXPIRES", "BY", "CREATED")
			for _, d := range ds {
				kind := "uploaded"
				if d.CertSelfSigned {
					kind = "self-signed"
				}
				t.row(d.Hostname, kind, d.CertNotAfter.Format(time.DateOnly), d.CreatedBy, ago(e.now(), d.CreatedAt))
			}
			return t.flush()
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the domains as JSON")
	return cmd
}

func newDomainsAddCmd(e *env) *cobra.Command {
	var f appFlags
	var certFile, keyFile string
	cmd := &cobra.Command{
		Use:   "domains:add HOSTNAME",
		Short: "Serve the app at a custom domain, over HTTP and TLS",
		Long: "Serve the app at HOSTNAME. Point the name's DNS at the router. Over TLS the router presents\n" +
			"the certificate given with --cert and --key (PEM), or a self-signed one made for HOSTNAME.",
		Example: "  paas domains:add www.example.com -a hello\n  paas domains:add shop.example.com --cert shop.crt --key shop.key",
		Args:    argNames([]string{"HOSTNAME; usage: paas domains:add HOSTNAME"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			certPEM, keyPEM, err := readPair(certFile, keyFile)
			if err != nil {
				return err
			}
			app, c, err := f.resolveWithClient(cmd.Context(), e)
			if err != nil {
				return err
			}
			d, err := c.Domains().Add(cmd.Context(), app, args[0], certPEM, keyPEM)
			if err != nil {
				return err
			}
			kind := "an uploaded"
			if d.CertSelfSigned {
				kind = "a self-signed"
			}
			fmt.Fprintf(e.stdout, "Added %s to %s, with %s certificate until %s\n", d.Hostname, app, kind, d.CertNotAfter.Format(time.DateOnly))
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&certFile, "cert", "", "PEM file of the certificate chain (with --key)")
	cmd.Flags().StringVar(&keyFile, "key", "", "PEM file of the certificate's private key, unencrypted (with --cert)")
	return cmd
}

// readPair reads the certificate and key files, both or neither.
func readPair(certFile, keyFile string) (string, string, error) {
	if (certFile == "") != (keyFile == "") {
		return "", "", &usageError{fmt.Errorf("give both --cert and --key, or neither for a self-signed certificate")}
	}
	if certFile == "" {
		return "", "", nil
	}
	cert, err := os.ReadFile(certFile)
	if err != nil {
		return "", "", fmt.Errorf("read certificate: %w", err)
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return "", "", fmt.Errorf("read key: %w", err)
	}
	return string(cert), string(key), nil
}

func newDomainsRemoveCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "domains:remove HOSTNAME",
		Short: "Stop serving the app at a custom domain",
		Args:  argNames([]string{"HOSTNAME; usage: paas domains:remove HOSTNAME"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			app, c, err := f.resolveWithClient(cmd.Context(), e)
			if err != nil {
				return err
			}
			if err := c.Domains().Remove(cmd.Context(), app, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Removed %s from %s\n", args[0], app)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}
