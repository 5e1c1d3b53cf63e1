module simclr-vk

go 1.26

require github.com/spf13/pflag v1.1.0

require golang.org/x/image v0.0.0-20190321063152-3fc05d484e9f // indirect

require (
	github.com/go-gl/mathgl v1.1.0
	github.com/klauspost/compress v1.20.4
	github.com/vulkan-go/vulkan v0.0.0-20221209234627-c0a353ae26c8
)

replace github.com/vulkan-go/vulkan => ./third_party/vulkan-go
