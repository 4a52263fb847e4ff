/* Decode one rectangle of a JPEG with libjpeg(-turbo): rows above it are skipped without colour
 * conversion, rows below it are never read, and columns outside it are neither inverse-transformed
 * nor converted (jpeg_skip_scanlines, jpeg_crop_scanline). The pixels are those of a full decode:
 * the columns libjpeg decodes are widened by one iMCU on each side, so chroma upsampling at the
 * region's edges sees the same neighbours as in the whole image.
 *
 * decode_region(data, out, left, top, width, height[, reduce]) writes height x width x 3 RGB bytes
 * into the writable buffer ``out``; with reduce 2, 4 or 8 the JPEG is decoded at that fraction of
 * each side (DCT scaling) and the rectangle is in those pixels. Any libjpeg error or warning
 * (corrupt data) raises ValueError, so the caller can fall back to its full decoder. The GIL is
 * released while libjpeg runs.
 */
#include "_decode_call.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} ErrorTrap;

static void trap_error(j_common_ptr info) {
    ErrorTrap *trap = (ErrorTrap *)info->err;
    (*info->err->format_message)(info, trap->message);
    longjmp(trap->jump, 1);
}

static void count_warning(j_common_ptr info, int level) {
    if (level < 0) /* a corrupt-data warning; trace messages (level >= 0) are ignored */
        info->err->num_warnings++;
}

typedef struct {
    Buffers io;
    int left, top, width, height, reduce;
} Job;

/* 0 when the region was written, else -1 with job->io.message set. No Python calls in here. */
static int decode(void *arg) {
    Job *job = (Job *)arg;
    struct jpeg_decompress_struct info;
    ErrorTrap trap;
    JSAMPLE *volatile row = NULL;

    info.err = jpeg_std_error(&trap.pub);
    trap.pub.error_exit = trap_error;
    trap.pub.emit_message = count_warning;
    jpeg_create_decompress(&info);
    if (setjmp(trap.jump)) {
        strncpy(job->io.message, trap.message, sizeof(job->io.message) - 1);
        job->io.message[sizeof(job->io.message) - 1] = '\0';
        jpeg_destroy_decompress(&info);
        free(row);
        return -1;
    }
    jpeg_mem_src(&info, job->io.data, (unsigned long)job->io.size);
    jpeg_read_header(&info, TRUE);
    info.out_color_space = JCS_RGB;
    info.scale_num = 1;
    info.scale_denom = (unsigned int)job->reduce;
    jpeg_start_decompress(&info);

    long right = (long)job->left + job->width, bottom = (long)job->top + job->height;
    if (job->left < 0 || job->top < 0 || job->width <= 0 || job->height <= 0 ||
        right > (long)info.output_width || bottom > (long)info.output_height ||
        job->io.out_size < (size_t)job->width * job->height * 3) {
        snprintf(job->io.message, sizeof(job->io.message),
                 "the region %dx%d+%d+%d does not fit the %ux%u image or the output buffer", job->width,
                 job->height, job->left, job->top, info.output_width, info.output_height);
        jpeg_destroy_decompress(&info);
        return -1;
    }
    long margin = (long)info.max_h_samp_factor * DCTSIZE; /* one iMCU, or more when scaled down */
    long first = job->left - margin < 0 ? 0 : job->left - margin;
    long last = right + margin > (long)info.output_width ? (long)info.output_width : right + margin;
    JDIMENSION x = (JDIMENSION)first, span = (JDIMENSION)(last - first);
    if (span < info.output_width)
        jpeg_crop_scanline(&info, &x, &span); /* x moves left to an iMCU boundary */
    row = malloc((size_t)info.output_width * 3);
    if (row == NULL) {
        snprintf(job->io.message, sizeof(job->io.message), "out of memory");
        jpeg_destroy_decompress(&info);
        return -1;
    }
    if (job->top > 0)
        jpeg_skip_scanlines(&info, (JDIMENSION)job->top);
    /* libjpeg writes `written` bytes per row, the region's row starts `offset` bytes in. Rows go
     * straight into the output where the bytes written around them stay inside it: those before
     * the row (the end of the row above, already done) are saved and put back, those after it
     * are rows not decoded yet. The first and last rows go through `row`. Copying every row
     * instead costs about 7 % of a whole decode. */
    size_t offset = (size_t)(job->left - (long)x) * 3, stride = (size_t)job->width * 3;
    size_t written = (size_t)info.output_width * 3, end = stride * (size_t)job->height;
    for (size_t start = 0; start < end; start += stride) {
        if (start >= offset && start - offset + written <= end) {
            JSAMPROW rows[1] = {job->io.out + start - offset};
            memcpy(row, rows[0], offset);
            jpeg_read_scanlines(&info, rows, 1);
            memcpy(rows[0], row, offset);
        } else {
            JSAMPROW rows[1] = {row};
            jpeg_read_scanlines(&info, rows, 1);
            memcpy(job->io.out + start, row + offset, stride);
        }
    }
    long warnings = trap.pub.num_warnings;
    jpeg_abort_decompress(&info); /* the rows below the region are not needed */
    jpeg_destroy_decompress(&info);
    free(row);
    if (warnings) {
        snprintf(job->io.message, sizeof(job->io.message), "corrupt JPEG data (%ld warnings)", warnings);
        return -1;
    }
    return 0;
}

static PyObject *decode_region(PyObject *self, PyObject *args) {
    Py_buffer data, out;
    Job job;
    job.reduce = 1;
    if (!PyArg_ParseTuple(args, "y*w*iiii|i", &data, &out, &job.left, &job.top, &job.width, &job.height,
                          &job.reduce))
        return NULL;
    if (job.reduce != 1 && job.reduce != 2 && job.reduce != 4 && job.reduce != 8) {
        PyBuffer_Release(&data);
        PyBuffer_Release(&out);
        PyErr_SetString(PyExc_ValueError, "reduce must be 1, 2, 4 or 8");
        return NULL;
    }
    return run_decoder(decode, &job, &job.io, &data, &out);
}

static PyMethodDef methods[] = {
    {"decode_region", decode_region, METH_VARARGS,
     "decode_region(data, out, left, top, width, height[, reduce]): write that RGB rectangle of the "
     "JPEG, decoded at 1/reduce of its size (1, 2, 4 or 8), into out (height x width x 3 bytes); "
     "ValueError on corrupt data or a region outside the image."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_jpeg_region",
                                    "Region-of-interest JPEG decoding with libjpeg.", -1, methods};

PyMODINIT_FUNC PyInit__jpeg_region(void) { return PyModule_Create(&module); }
