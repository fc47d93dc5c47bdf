# 64 frames: a page not touched again is evicted, and comes back from swap
run: lazy evict
opts: --frames 64 --swap 4M
counter: pswpout >= 1
counter: pswpin >= 1
---
(lazy) begin
(lazy) a page written: present
(lazy) after 199 more pages it was evicted: not present
(lazy) reading it brings its contents back from swap
(lazy) present again
(lazy) end
lazy: exit(0)
