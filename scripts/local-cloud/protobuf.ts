/**
 * The protobuf messages of wx-server-sdk's open API channel (its
 * src/protobuf/openapi.js), the subset the local cloud reads and writes, with
 * the same field ids. protobufjs is resolved from the SDK's folder so we use
 * the very copy the SDK encodes with.
 */
import path from 'path';
import type * as Protobuf from 'protobufjs';

export interface WxProtobuf {
  /** What the SDK sends: an open API call (`openapiData`) or a svrkit call (`svrkitData`). */
  CommApiData: Protobuf.Type;
  CommOpenApiResp: Protobuf.Type;
  ApiGetOpenDataByCloudIdReq: Protobuf.Type;
  ApiGetOpenDataByCloudIdResp: Protobuf.Type;
}

let loaded: WxProtobuf | undefined;

export function wxProtobuf(): WxProtobuf {
  if (loaded) return loaded;
  const sdkDir = path.dirname(require.resolve('wx-server-sdk'));
  const pb = require(require.resolve('protobufjs/light', { paths: [sdkDir] })) as typeof Protobuf;
  const root = pb.Root.fromJSON({
    nested: {
      KeyValuePair: {
        fields: {
          key: { type: 'string', id: 1 },
          value: { type: 'bytes', id: 2 },
          contenttype: { type: 'string', id: 3 },
          filename: { type: 'string', id: 4 },
        },
      },
      OpenApiData: { fields: { pairs: { rule: 'repeated', type: 'KeyValuePair', id: 1 } } },
      SvrkitApiData: { fields: { apiName: { type: 'string', id: 1 }, reqData: { type: 'bytes', id: 2 } } },
      CommApiData: {
        fields: {
          apiType: { type: 'int32', id: 1 },
          openapiData: { type: 'OpenApiData', id: 2 },
          svrkitData: { type: 'SvrkitApiData', id: 4 },
          appid: { type: 'string', id: 6 },
        },
      },
      CommOpenApiResp: {
        fields: {
          respData: { type: 'bytes', id: 1 },
          contentType: { type: 'string', id: 2 },
          errorCode: { type: 'int32', id: 3 },
          httpCode: { type: 'uint32', id: 4 },
          svrkitErrorCode: { type: 'int32', id: 6 },
        },
      },
      ApiGetOpenDataByCloudIdReq: {
        fields: { cloudidList: { rule: 'repeated', type: 'string', id: 2 }, appid: { type: 'string', id: 3 } },
      },
      OpDataItem: { fields: { cloudId: { type: 'string', id: 1 }, json: { type: 'string', id: 2 } } },
      ApiGetOpenDataByCloudIdResp: { fields: { dataList: { rule: 'repeated', type: 'OpDataItem', id: 1 } } },
    },
  });
  loaded = {
    CommApiData: root.lookupType('CommApiData'),
    CommOpenApiResp: root.lookupType('CommOpenApiResp'),
    ApiGetOpenDataByCloudIdReq: root.lookupType('ApiGetOpenDataByCloudIdReq'),
    ApiGetOpenDataByCloudIdResp: root.lookupType('ApiGetOpenDataByCloudIdResp'),
  };
  return loaded;
}
