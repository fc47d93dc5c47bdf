run: close stdio
---
(close) begin
(close) after close(0) and close(1) the console still prints
(close) end
close: exit(0)
