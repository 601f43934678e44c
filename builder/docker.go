// Package builder turns one commit of an app's git repository into a
// container image. It reads the bare repository with go-git, packs the
// commit's tree into a tar build context and builds it with the Docker
// Engine's classic builder, streaming the build output as plain text.
//
// It is the only package of the module that imports the Docker SDK or
// go-git; callers talk to it through the few methods of Builder.
//
// No registry is reachable from the build hosts, so nothing is ever pulled:
// a Dockerfile may only build on images that exist locally (see
// deploy/images.sh, which makes them).
//
// A commit without a Dockerfile is built with a language stack (go, node,
// python or static): the builder writes a Dockerfile for it, on the stack's
// local image, that installs the dependencies before it copies the source,
// so that the build cache keeps them. Builds are offline: dependencies come
// from the commit (vendor/, node_modules/, a vendor/ of wheels).
package builder

import (
	"context"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	"github.com/gitpaas/paas"
)

// DefaultMaxContextBytes is the default bound on the size of a build
// context: the tar stream of one commit's tree.
const DefaultMaxContextBytes int64 = 256 << 20

// BaseImageLabel is the image label that tells base images from app images.
// deploy/images.sh sets it to "true" on the base images it makes; Build sets
// it to "false" on every image it builds, unless Request.Labels sets it, so
// that app images do not inherit "true" from their base.
const BaseImageLabel = "org.gitpaas.base-image"

// Options configures a Builder. The zero value is usable.
type Options struct {
	// DockerHost is the Docker Engine address, such as
	// "unix:///var/run/docker.sock". Empty means DOCKER_HOST, else the
	// default socket.
	DockerHost string
	// MaxContextBytes bounds the build context of one commit. Zero means
	// DefaultMaxContextBytes.
	MaxContextBytes int64
}

// Validate reports whether the options can configure a Builder.
func (o Options) Validate() error {
	if o.MaxContextBytes < 0 {
		return paas.Errorf(paas.EINVALID, "builder: max context bytes is %d; use 0 for the default or a positive size", o.MaxContextBytes)
	}
	return nil
}

func (o *Options) canonicalize() {
	if o.MaxContextBytes == 0 {
		o.MaxContextBytes = DefaultMaxContextBytes
	}
}

// Builder builds images from git commits with a Docker Engine. It is safe
// for concurrent use.
type Builder struct {
	cli  *client.Client
	opts Options
}

// New returns a Builder that talks to the Docker Engine at opts.DockerHost.
// It negotiates the API version with the daemon on first use (Debian's
// docker.io speaks 1.41), so it does not contact the daemon itself; call
// Ping for that.
func New(opts Options) (*Builder, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts.canonicalize()
	clientOpts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if opts.DockerHost != "" {
		clientOpts = append(clientOpts, client.WithHost(opts.DockerHost))
	}
	cli, err := client.NewClientWithOpts(clientOpts...)
	if err != nil {
		return nil, paas.Errorf(paas.EINVALID, "builder: docker host %q: %v; use an address such as unix:///var/run/docker.sock", opts.DockerHost, err)
	}
	return &Builder{cli: cli, opts: opts}, nil
}

// Close releases the connections to the Docker Engine.
func (b *Builder) Close() error { return b.cli.Close() }

// Ping checks that the Docker Engine answers.
func (b *Builder) Ping(ctx context.Context) error {
	if _, err := b.cli.Ping(ctx); err != nil {
		return b.unavailable(err)
	}
	return nil
}

// unavailable turns a failure to reach the daemon into an EUNAVAILABLE
// error; other errors pass through.
func (b *Builder) unavailable(err error) error {
	if client.IsErrConnectionFailed(err) {
		return paas.Errorf(paas.EUNAVAILABLE, "the Docker Engine at %s is not reachable; start dockerd and try again", b.cli.DaemonHost())
	}
	return err
}

// isNotFound and isInvalidParameter classify errors of the Docker SDK, which
// follows containerd's errdefs kinds.
func isNotFound(err error) bool { return cerrdefs.IsNotFound(err) }

func isInvalidParameter(err error) bool { return cerrdefs.IsInvalidArgument(err) }
