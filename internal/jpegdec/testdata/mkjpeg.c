// mkjpeg writes the test JPEGs that Go's encoder cannot make, with the
// libjpeg API of libjpeg-turbo:
//
//	cd internal/jpegdec/testdata && gcc -O2 -o /tmp/mkjpeg mkjpeg.c -ljpeg && /tmp/mkjpeg
//
// progressive.jpg (4:2:0, progressive scans), restart.jpg (4:2:2, a restart
// marker after every MCU), 444.jpg (no chroma subsampling), cmyk.jpg (Adobe CMYK, 4 components, which
// TurboJPEG 2.x does not convert to RGB), all 37x29.
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>

#define W 37
#define H 29

static unsigned char px(int x, int y, int c) {
	// Ramps of different slopes per channel and a checker of 9x7 cells,
	// like photo() in jpegdec_test.go without its noise.
	int v = 30 + x * (60 + 30 * c) / W + y * (90 - 30 * c) / H + ((x / 9 + y / 7) % 2) * 40;
	return (unsigned char)(v > 255 ? 255 : v);
}

static void write(const char *name, int comps, J_COLOR_SPACE in, int progressive, int restart, int h_samp) {
	FILE *f = fopen(name, "wb");
	if (!f) { perror(name); exit(1); }
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr err;
	ci.err = jpeg_std_error(&err);
	jpeg_create_compress(&ci);
	jpeg_stdio_dest(&ci, f);
	ci.image_width = W;
	ci.image_height = H;
	ci.input_components = comps;
	ci.in_color_space = in;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, 90, TRUE);
	if (in == JCS_RGB) {
		ci.comp_info[0].h_samp_factor = h_samp;
		ci.comp_info[0].v_samp_factor = progressive ? 2 : 1;
	}
	if (progressive) jpeg_simple_progression(&ci);
	ci.restart_interval = restart;
	jpeg_start_compress(&ci, TRUE);
	unsigned char row[W * 4];
	while (ci.next_scanline < H) {
		int y = ci.next_scanline;
		for (int x = 0; x < W; x++)
			for (int c = 0; c < comps; c++)
				row[x * comps + c] = px(x, y, c);
		JSAMPROW r = row;
		jpeg_write_scanlines(&ci, &r, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	fclose(f);
}

int main(void) {
	write("progressive.jpg", 3, JCS_RGB, 1, 0, 2);
	write("restart.jpg", 3, JCS_RGB, 0, 1, 2);
	write("444.jpg", 3, JCS_RGB, 0, 0, 1);
	write("cmyk.jpg", 4, JCS_CMYK, 0, 0, 1);
	return 0;
}
