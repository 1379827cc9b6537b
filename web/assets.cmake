# assets.cmake - packs the web app into the server (included by CMakeLists.txt).
# tools/pack_assets (a host tool built here) gzips web/*.html|js|css, web/lib/*.js,
# web/pages/*.js|css, two npm files from web/node_modules and the app's Plotly into
# one generated C file; sets XNR_WEB_ASSETS_C to it. Rebuilt when any input changes;
# a new page file is picked up by the CONFIGURE_DEPENDS glob. Development tools (the
# npm devDependencies, web/eslint.config.js, web/tools/) are not part of the app and
# not packed. The Plotly is a partial bundle that web/tools/plotly_bundle.mjs makes
# with npm esbuild from npm plotly.js at build time, into web/node_modules/.cache/
# (where `serve --assets-dir web` finds it too; npm ci wipes it and the next build
# makes it again).
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
find_program(XNR_NODE node REQUIRED)

set(XNR_WEB_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(XNR_WEB_VENDOR
    "vendor/tabulator_esm.min.js=node_modules/tabulator-tables/dist/js/tabulator_esm.min.js"
    "vendor/tabulator.min.css=node_modules/tabulator-tables/dist/css/tabulator.min.css")

set(_xnr_missing "")
foreach(pair ${XNR_WEB_VENDOR} "=node_modules/plotly.js/lib/core.js" "=node_modules/esbuild/package.json")
  string(REGEX REPLACE "^[^=]*=" "" rel "${pair}")
  if(NOT EXISTS "${XNR_WEB_DIR}/${rel}")
    list(APPEND _xnr_missing "web/${rel}")
  endif()
endforeach()
if(_xnr_missing)
  list(JOIN _xnr_missing "\n  " _xnr_missing)
  message(FATAL_ERROR
    "The web app's npm packages are not installed; missing:\n  ${_xnr_missing}\n"
    "Run `scripts/setup.sh` (or `npm ci --prefix web`) and configure again.")
endif()

file(GLOB XNR_WEB_APP_FILES CONFIGURE_DEPENDS
     "${XNR_WEB_DIR}/*.html" "${XNR_WEB_DIR}/*.js" "${XNR_WEB_DIR}/*.css"
     "${XNR_WEB_DIR}/lib/*.js"
     "${XNR_WEB_DIR}/pages/*.js" "${XNR_WEB_DIR}/pages/*.css")
list(FILTER XNR_WEB_APP_FILES EXCLUDE REGEX "/eslint\\.config\\.js$")

set(_xnr_args "")
set(_xnr_deps "")
foreach(f ${XNR_WEB_APP_FILES})
  file(RELATIVE_PATH rel "${XNR_WEB_DIR}" "${f}")
  list(APPEND _xnr_args "app/${rel}=${f}")
  list(APPEND _xnr_deps "${f}")
endforeach()
foreach(pair ${XNR_WEB_VENDOR})
  string(REGEX MATCH "^[^=]*" name "${pair}")
  string(REGEX REPLACE "^[^=]*=" "" rel "${pair}")
  list(APPEND _xnr_args "${name}=${XNR_WEB_DIR}/${rel}")
  list(APPEND _xnr_deps "${XNR_WEB_DIR}/${rel}")
endforeach()

set(XNR_PLOTLY_JS "${XNR_WEB_DIR}/node_modules/.cache/explainer/plotly.min.js")
add_custom_command(
  OUTPUT "${XNR_PLOTLY_JS}"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${XNR_WEB_DIR}/node_modules/.cache/explainer"
  COMMAND "${XNR_NODE}" "${XNR_WEB_DIR}/tools/plotly_bundle.mjs" "${XNR_PLOTLY_JS}"
  DEPENDS "${XNR_WEB_DIR}/tools/plotly_bundle.mjs" "${XNR_WEB_DIR}/package-lock.json"
  COMMENT "Bundling Plotly's scatter, scattergl and heatmap (web/tools/plotly_bundle.mjs)"
  VERBATIM)
list(APPEND _xnr_args "vendor/plotly.min.js=${XNR_PLOTLY_JS}")
list(APPEND _xnr_deps "${XNR_PLOTLY_JS}")

add_executable(xnr_pack_assets "${CMAKE_SOURCE_DIR}/tools/pack_assets.c")
target_link_libraries(xnr_pack_assets PRIVATE xnr_core PkgConfig::ZLIB)

set(XNR_WEB_ASSETS_C "${CMAKE_BINARY_DIR}/generated/web_assets.c")
add_custom_command(
  OUTPUT "${XNR_WEB_ASSETS_C}"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${CMAKE_BINARY_DIR}/generated"
  COMMAND xnr_pack_assets "${XNR_WEB_ASSETS_C}" ${_xnr_args}
  DEPENDS xnr_pack_assets ${_xnr_deps}
  COMMENT "Packing the web app (${CMAKE_CURRENT_LIST_FILE})"
  VERBATIM)
# Megabytes of bytes as string literals: longer than ISO C's 4095 minimum, fine for gcc/clang.
set_source_files_properties("${XNR_WEB_ASSETS_C}" PROPERTIES
  GENERATED TRUE COMPILE_OPTIONS "-Wno-overlength-strings")
