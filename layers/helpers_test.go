package layers_test

import "simclr-vk/layers/layerstest"

// Short names for the shared model-level helpers.
var (
	tinyConfig  = layerstest.TinyConfig
	newModel    = layerstest.NewModel
	randomViews = layerstest.RandomViews
	upload      = layerstest.Upload
	download    = layerstest.Download
)
