package main

import (
	"fmt"
	"net"
	"sync"
)

// loopbackIPAM hands each pod its own address in 127.0.0.0/24. Addresses are handed out round
// robin so a freed address is not reused at once: clients that cached the old pod's address
// then fail to connect instead of reaching a different pod.
type loopbackIPAM struct {
	mu    sync.Mutex
	first int
	last  int
	next  int
	used  map[string]string // address -> owner
}

func newLoopbackIPAM(first, last int) *loopbackIPAM {
	return &loopbackIPAM{first: first, last: last, next: first, used: map[string]string{}}
}

func loopbackAddress(n int) string { return fmt.Sprintf("127.0.0.%d", n) }

// Allocate returns the address the owner already had (when preferred is free or its own) or
// the next free one.
func (m *loopbackIPAM) Allocate(owner, preferred string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for addr, o := range m.used {
		if o == owner {
			return addr, nil
		}
	}
	if preferred != "" && m.inRange(preferred) {
		if _, taken := m.used[preferred]; !taken {
			m.used[preferred] = owner
			return preferred, nil
		}
	}
	for i := 0; i <= m.last-m.first; i++ {
		n := m.first + (m.next-m.first+i)%(m.last-m.first+1)
		addr := loopbackAddress(n)
		if _, taken := m.used[addr]; !taken {
			m.used[addr] = owner
			m.next = n + 1
			if m.next > m.last {
				m.next = m.first
			}
			return addr, nil
		}
	}
	return "", fmt.Errorf("no free pod address left in 127.0.0.%d-%d", m.first, m.last)
}

// Release frees the owner's address.
func (m *loopbackIPAM) Release(owner string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for addr, o := range m.used {
		if o == owner {
			delete(m.used, addr)
		}
	}
}

func (m *loopbackIPAM) inRange(addr string) bool {
	ip := net.ParseIP(addr).To4()
	if ip == nil || ip[0] != 127 || ip[1] != 0 || ip[2] != 0 {
		return false
	}
	return int(ip[3]) >= m.first && int(ip[3]) <= m.last
}
