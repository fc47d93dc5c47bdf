run: seek-tell normal
files: sample.txt
---
(seek-tell) begin
(seek-tell) a new descriptor is at 0
(seek-tell) after reading 10 bytes, at 10
(seek-tell) seek to 100: at 100
(seek-tell) read there: bytes 100..104
(seek-tell) seek past the end, to 1000000: at 1000000
(seek-tell) reading there: 0 bytes, still at 1000000
(seek-tell) back to 0: "Eve"
(seek-tell) seek to 0xfffffff0 (unsigned): tell says so
(seek-tell) end
seek-tell: exit(0)
