package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

func newAddonsDestroyCmd(e *env) *cobra.Command {
	var f appFlags
	var confirm string
	var force bool
	cmd := &cobra.Command{
		Use:   "addons:destroy NAME",
		Short: "Destroy an add-on with its data (its backups stay)",
		Long: "Destroy an add-on of an app with its data. An attached add-on is refused: detach it first,\n" +
			"or pass --force to detach it from every app (each gets a release without its var).\n" +
			"Its backups stay and can be restored into another add-on. Without --confirm, the add-on\n" +
			"name is asked for on stdin. Outside an app's repository and without -a, a platform admin\n" +
			"may destroy any add-on.",
		Args: argNames([]string{"add-on name; usage: paas addons:destroy NAME"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			app := f.resolveOptional(cmd.Context(), e)
			return e.destroyAddon(cmd.Context(), app, args[0], confirm, force)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&confirm, "confirm", "", "the add-on name again, to skip the question")
	cmd.Flags().BoolVar(&force, "force", false, "detach the add-on from every app first")
	return cmd
}

func (e *env) destroyAddon(ctx context.Context, app, name, confirm string, force bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	if confirm == "" {
		if confirm, err = e.askAddonConfirmation(ctx, name); err != nil {
			return err
		}
	}
	if confirm != name {
		return fmt.Errorf("confirmation %q did not match %q; nothing was destroyed", clip(confirm), name)
	}
	fmt.Fprintf(e.stdout, "Destroying %s... ", name)
	if err := c.Addons().Destroy(ctx, app, name, force); err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	fmt.Fprintln(e.stdout, "done")
	return nil
}

// askAddonConfirmation warns and reads the add-on name back from stdin.
func (e *env) askAddonConfirmation(ctx context.Context, name string) (string, error) {
	fmt.Fprintf(e.stderr, " !    WARNING: this destroys the add-on %s and all its data.\n", name)
	answer, err := e.ask(ctx, "To proceed, type the add-on name: ", false)
	if errors.Is(err, io.EOF) {
		return "", fmt.Errorf("no confirmation given; nothing was destroyed; to destroy %s without the question, pass --confirm %s", name, name)
	}
	return strings.TrimSpace(answer), err
}
