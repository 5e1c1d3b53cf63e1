// Package metrics records a training run: JSON-lines logs, the terminal
// progress line, and a PNG plot of the loss and the kNN accuracy.
//
// Log (Log, OpenLog): one JSON object per line, written with a single write
// call and no buffering, so a crash keeps every line logged before it.
// Step records ({"type":"step",...}) are written every Every-th global step
// (and always for the last step of an epoch when the caller sets Last);
// epoch records ({"type":"epoch",...}) once per epoch. Non-finite numbers
// (a diverged loss) are written as null and read back as NaN. ReadLog parses
// a log back, skipping a torn last line. OpenLog appends to a file (a
// resumed run) and refuses a symbolic link in its place; TrimLog first cuts
// the file back to the step of the checkpoint resumed (atomically), so that
// after a crash and a resume each step is in the file once, in order.
//
// Progress: Format builds one status line (epoch, steps done/total in the
// epoch, loss, contrastive top-1, lr, images/s, data-wait %, ETA). On a
// terminal Progress redraws a bar in place with '\r'; otherwise it prints a
// plain line every Every steps (and the last one), suitable for log files.
//
// Plot: RenderPlot/WritePlot draw two panels, loss vs global step and kNN
// top-1 (%) vs epoch, with ticks and labels in a small built-in bitmap font
// (no font dependency), and write a PNG with image/png. NaN points are
// skipped (the line breaks), constant series get a padded range, a single
// point is drawn as a marker, an empty series as "no data".
package metrics
