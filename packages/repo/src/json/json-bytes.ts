/** The JSON scanning core of the streaming splitters in this folder: backend's (json-scan.ts), shared with its REST listing parser. */
export { BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, JsonStringScanner, JsonSyntaxError, OPEN_ARR, OPEN_OBJ, QUOTE, isSpace } from '@highwater/backend';
