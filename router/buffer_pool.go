package router

import (
	"net/http/httputil"
	"sync"
)

// proxyBufferSize is the size of the buffers that copy response bodies,
// the same as io.Copy's.
const proxyBufferSize = 32 << 10

// bufferPool recycles the proxy's copy buffers so that each request does
// not allocate its own 32 KiB.
type bufferPool struct {
	pool sync.Pool
}

var _ httputil.BufferPool = (*bufferPool)(nil)

func newBufferPool() *bufferPool {
	return &bufferPool{pool: sync.Pool{New: func() any {
		b := make([]byte, proxyBufferSize)
		return &b
	}}}
}

// Get returns a buffer of proxyBufferSize bytes.
func (p *bufferPool) Get() []byte { return *p.pool.Get().(*[]byte) }

// Put returns b to the pool.
func (p *bufferPool) Put(b []byte) { p.pool.Put(&b) }

// get and put are Get and Put without the allocation that Put's &b costs,
// for the lean path.
func (p *bufferPool) get() *[]byte  { return p.pool.Get().(*[]byte) }
func (p *bufferPool) put(b *[]byte) { p.pool.Put(b) }
