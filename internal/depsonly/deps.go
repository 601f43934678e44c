package depsonly

import (
	_ "github.com/docker/docker/api/types/build"
	_ "github.com/docker/docker/api/types/container"
	_ "github.com/docker/docker/api/types/image"
	_ "github.com/docker/docker/client"
	_ "github.com/docker/docker/pkg/jsonmessage"
	_ "github.com/gin-gonic/gin"
	_ "github.com/go-git/go-git/v5"
	_ "github.com/go-git/go-git/v5/plumbing/object"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/hashicorp/nomad/api"
	_ "github.com/lib/pq"
	_ "github.com/spf13/cobra"
	_ "gopkg.in/yaml.v3"
	_ "golang.org/x/sync/errgroup"
)
